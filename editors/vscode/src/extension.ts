// Starts dockerfile-lsp for Dockerfiles and keeps its settings in sync.
//
// The client is vscode-languageclient with three changes to its defaults:
// - we spawn the server ourselves (ServerOptions as a function), so we know
//   its exit code and signal, and an intentional stop logs nothing at error
//   level (the library logs "Server process exited with code 0" as an error
//   whenever a process it spawned exits);
// - its error pop-ups are turned into log lines (a request that failed while
//   the server was restarting is not worth a notification);
// - a server that dies is not restarted behind the user's back: one
//   notification says why, with a Restart button.
// Start, stop and restart are serialized in Lifecycle.

import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from 'vscode-languageclient/node';
import { describe, Lifecycle, Session } from './lifecycle';
import { findServer, Probe } from './serverPath';
import { serverSettings } from './settings';

const SECTION = 'dockerfile-lsp';
const NAME = 'Dockerfile LSP';
/** How long a server gets to answer shutdown, then to exit, before it is killed. */
const STOP_TIMEOUT_MS = 3000;

let output: vscode.OutputChannel | undefined;
let lifecycle: Lifecycle | undefined;
let active: LanguageClient | undefined;

function log(level: 'Info' | 'Warn' | 'Error', message: string): void {
  output?.appendLine(`[${level.padEnd(5)} - ${new Date().toLocaleTimeString()}] ${message}`);
}

/**
 * The library's client, with its notifications turned into log lines. A
 * request or change that fails because the client is not running (a
 * restart stopped it while the request waited for the start, or the server
 * died) is expected: logged as information, not as an error.
 */
class QuietClient extends LanguageClient {
  override error(message: string, data?: unknown): void {
    if (!this.isRunning() && /^Request .* failed\.$|pending changes failed/.test(message)) {
      super.info(`${message} (the server is not running: ${describe(data)})`, undefined, false);
      return;
    }
    super.error(message, data, false);
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function probe(file: string): Promise<Probe> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { timeout: 5000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const { code, signal } = error as { code?: number | string; signal?: string };
        const how =
          typeof code === 'number' ? `exit code ${code}` : signal ? `killed by ${signal}` : (code ?? error.message);
        // (A binary for another platform may be run by /bin/sh, which prints its bytes.)
        const detail = String(stderr)
          .trim()
          .split('\n')[0]
          .replace(/[^\x20-\x7e]+/g, '?');
        resolve({ failure: `${how}${detail ? `: ${detail.slice(0, 200)}` : ''}` });
      } else {
        resolve({ output: String(stdout) });
      }
    });
  });
}

function currentSettings() {
  const config = vscode.workspace.getConfiguration(SECTION);
  const { settings, problems } = serverSettings((key, fallback) => config.get(key, fallback));
  for (const problem of problems) {
    log('Warn', `Ignored setting: ${problem}`);
  }
  return settings;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exitReason(code: number | null, signal: NodeJS.Signals | null, stderr: string[]): string {
  const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
  const last = stderr.filter((line) => line.trim() !== '').slice(-1)[0];
  return last ? `${how} (last words: ${last.trim().slice(0, 300)})` : how;
}

async function launch(context: vscode.ExtensionContext, onExit: (reason: string) => void): Promise<Session | undefined> {
  const found = await findServer({
    configured: vscode.workspace.getConfiguration(SECTION).get<string>('server.path', ''),
    extensionDir: context.extensionPath,
    pathEnv: process.env.PATH ?? '',
    platform: process.platform,
    isExecutable,
    probe,
  });
  for (const note of found.skipped) {
    log('Warn', note);
    void vscode.window.showWarningMessage(note);
  }
  if ('error' in found) {
    log('Error', found.error);
    void vscode.window.showErrorMessage(found.error, 'Open Settings').then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
      }
    });
    return undefined;
  }
  log('Info', `Starting ${found.path} (dockerfile-lsp ${found.version}, ${found.from})`);

  let child: ChildProcess | undefined;
  let stopping = false;
  const stderr: string[] = [];
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let resolveExited: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));

  const serverOptions: ServerOptions = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const proc = spawn(found.path, [], { stdio: 'pipe', windowsHide: true });
      child = proc;
      proc.once('spawn', () => {
        log('Info', `Server started (pid ${proc.pid}).`);
        resolve(proc);
      });
      proc.once('error', (error) => reject(error));
      proc.stderr.on('data', (data: Buffer) => {
        stderr.push(...data.toString('utf8').split('\n'));
        stderr.splice(0, Math.max(0, stderr.length - 20));
      });
      proc.once('exit', (code, signal) => {
        exit = { code, signal };
        resolveExited();
        if (stopping) {
          log('Info', 'Server stopped.');
        } else {
          onExit(exitReason(code, signal, stderr)); // logged and shown by the lifecycle
        }
      });
    });

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'dockerfile', scheme: 'file' },
      { language: 'dockerfile', scheme: 'untitled' },
    ],
    initializationOptions: currentSettings(),
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: {
      // Reading or writing failed: keep going; if the process is gone,
      // closed() follows.
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: async () => {
        if (!stopping) {
          // The exit event usually follows the closed pipe closely.
          await Promise.race([exited, sleep(1000)]);
        }
        const message = stopping
          ? 'Connection to the server closed.'
          : `Connection to the server closed (${exit ? exitReason(exit.code, exit.signal, stderr) : 'the process is still running'}).`;
        return { action: CloseAction.DoNotRestart, handled: true, message };
      },
    },
  };
  const client = new QuietClient(SECTION, NAME, serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    stopping = true;
    await Promise.race([exited, sleep(1000)]);
    child?.kill();
    throw new Error(exit ? exitReason(exit.code, exit.signal, stderr) : describe(error));
  }
  active = client;
  return {
    stop: async () => {
      stopping = true;
      if (active === client) {
        active = undefined;
      }
      try {
        if (client.isRunning()) {
          await client.stop(STOP_TIMEOUT_MS);
        }
      } catch (error) {
        log('Warn', `The server did not shut down cleanly: ${describe(error)}`);
      }
      if (!exit) {
        await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
      }
      if (!exit && child) {
        log('Warn', 'The server did not exit after shutdown; killing it.');
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(1000)]);
      }
    },
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(NAME);
  const life = new Lifecycle({
    launch: (onExit) => launch(context, onExit),
    onFailure: (message) => {
      log('Error', message);
      void vscode.window.showErrorMessage(message, 'Restart', 'Show Output').then((choice) => {
        if (choice === 'Restart') {
          void life.restart();
        } else if (choice === 'Show Output') {
          output?.show(true);
        }
      });
    },
    log: (message) => log('Warn', message),
  });
  lifecycle = life;
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('dockerfile-lsp.restartServer', () => life.restart()),
    vscode.commands.registerCommand('dockerfile-lsp.showOutput', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      if (event.affectsConfiguration(`${SECTION}.server.path`)) {
        await life.restart();
      } else if (active?.isRunning()) {
        try {
          await active.sendNotification('workspace/didChangeConfiguration', { settings: currentSettings() });
        } catch (error) {
          log('Warn', `Sending the settings: ${describe(error)}`);
        }
      }
    }),
  );
  // Not awaited: activation is done once the commands exist; the server
  // comes up in the background and Restart Server queues behind it.
  void life.start();
}

export async function deactivate(): Promise<void> {
  await lifecycle?.stop();
}
