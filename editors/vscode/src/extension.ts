// Starts dockerfile-lsp for Dockerfiles and keeps its settings in sync.

import * as fs from 'fs';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, Trace } from 'vscode-languageclient/node';
import { findServer } from './serverPath';
import { serverSettings } from './settings';

const SECTION = 'dockerfile-lsp';
let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function currentSettings() {
  const config = vscode.workspace.getConfiguration(SECTION);
  const { settings, problems } = serverSettings((key, fallback) => config.get(key, fallback));
  for (const problem of problems) {
    output?.appendLine(`Ignored setting: ${problem}`);
  }
  return settings;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const found = findServer({
    configured: vscode.workspace.getConfiguration(SECTION).get<string>('server.path', ''),
    extensionDir: context.extensionPath,
    pathEnv: process.env.PATH ?? '',
    platform: process.platform,
    isExecutable,
  });
  if ('error' in found) {
    void vscode.window.showErrorMessage(found.error);
    return;
  }
  output?.appendLine(`Starting ${found.path} (from ${found.from})`);
  const serverOptions: ServerOptions = { command: found.path, args: [] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }],
    initializationOptions: currentSettings(),
    outputChannel: output,
    traceOutputChannel: output,
  };
  client = new LanguageClient(SECTION, 'Dockerfile LSP', serverOptions, clientOptions);
  await client.start();
  await client.setTrace(Trace.fromString(vscode.workspace.getConfiguration(SECTION).get('trace.server', 'off')));
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Dockerfile LSP');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('dockerfile-lsp.restartServer', async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      if (event.affectsConfiguration(`${SECTION}.server.path`)) {
        await stop();
        await start(context);
      } else if (client) {
        await client.sendNotification('workspace/didChangeConfiguration', { settings: currentSettings() });
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}
