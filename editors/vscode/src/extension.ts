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
// Start, stop and restart are serialized in Lifecycle. A start has 20 s to
// get an answer to `initialize`, then the process is killed and the failure
// offers Restart. The server starts once a Dockerfile is open or the
// workspace holds one (not when a command such as Show Output activated the
// extension), or on Restart Server.

import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from 'vscode-languageclient/node';
import { DOCKERFILE_GLOB, LANGUAGE, StartOnce } from './activation';
import { describe, Lifecycle, Session, withTimeout } from './lifecycle';
import { exitReason, StderrTail } from './output';
import { findServer, Probe, probeFailure } from './serverPath';
import { sameSettings, serverSettings } from './settings';

const SECTION = 'dockerfile-lsp';
const NAME = 'Dockerfile LSP';
/** How long a server gets to answer shutdown, then to exit, before it is killed. */
const STOP_TIMEOUT_MS = 3000;
/** How long a server gets to answer `initialize` before it is killed. */
const START_TIMEOUT_MS = 20000;
/** How long `dockerfile-lsp --version` may take. */
const PROBE_TIMEOUT_MS = 5000;

let output: vscode.OutputChannel | undefined;
let lifecycle: Lifecycle | undefined;
/** The client of the running server (undefined while it starts). */
let active: LanguageClient | undefined;
/** The latest client, until it is disposed: by its session's stop, or when the next one is launched after a crash. */
let latest: LanguageClient | undefined;

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
    execFile(
      file,
      ['--version'],
      // SIGKILL: a program that ignores SIGTERM must not keep the start waiting.
      { timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          resolve({ failure: probeFailure(error as Parameters<typeof probeFailure>[0], String(stderr), PROBE_TIMEOUT_MS) });
        } else {
          resolve({ output: String(stdout) });
        }
      },
    );
  });
}

function currentSettings(report = true) {
  const config = vscode.workspace.getConfiguration(SECTION);
  const { settings, problems } = serverSettings((key, fallback) => config.get(key, fallback));
  for (const problem of report ? problems : []) {
    log('Warn', `Ignored setting: ${problem}`);
  }
  return settings;
}

/** Disposes a client that is not wanted any more (it may be running, crashed or never started). */
async function retire(client: LanguageClient): Promise<void> {
  if (latest === client) {
    latest = undefined;
  }
  const running = client.isRunning();
  try {
    await client.dispose(STOP_TIMEOUT_MS);
  } catch (error) {
    // Not running (crashed, or killed while starting): nothing to shut down.
    if (running) {
      log('Warn', `The server did not shut down cleanly: ${describe(error)}`);
    }
  }
}

function firstFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function launch(
  context: vscode.ExtensionContext,
  onExit: (reason: string) => void,
  signal: AbortSignal,
): Promise<Session | undefined> {
  if (latest) {
    await retire(latest); // the one before crashed or failed to start
  }
  const found = await findServer({
    configured: vscode.workspace.getConfiguration(SECTION).get<string>('server.path', ''),
    extensionDir: context.extensionPath,
    pathEnv: process.env.PATH ?? '',
    platform: process.platform,
    home: os.homedir(),
    workspaceFolder: firstFolder(),
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
  if (signal.aborted) {
    return undefined;
  }
  log('Info', `Starting ${found.path} (dockerfile-lsp ${found.version}, ${found.from})`);

  let child: ChildProcess | undefined;
  let stopping = false;
  const stderr = new StderrTail();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let resolveExited: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  let ended = false;
  /** The process is gone and its stderr read to the end ('close'), or given up on. */
  const end = () => {
    if (ended) {
      return;
    }
    ended = true;
    resolveExited();
    if (stopping) {
      log('Info', 'Server stopped.');
    } else {
      onExit(exit ? exitReason(exit.code, exit.signal, stderr) : 'its pipes closed'); // logged and shown by the lifecycle
    }
  };
  signal.addEventListener('abort', () => {
    stopping = true;
    child?.kill('SIGKILL');
  });

  const serverOptions: ServerOptions = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const proc = spawn(found.path, [], { stdio: 'pipe', windowsHide: true });
      child = proc;
      proc.once('spawn', () => {
        log('Info', `Server started (pid ${proc.pid}).`);
        resolve(proc);
      });
      // Before 'spawn': it could not be started (reject). After: e.g. a
      // failed kill; worth a line, never an unhandled 'error' event.
      proc.on('error', (error) => {
        log('Warn', `Server process: ${describe(error)}`);
        reject(error);
      });
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (data: string) => stderr.push(data));
      proc.once('exit', (code, sig) => {
        exit = { code, signal: sig };
        // 'close' follows once stdout and stderr are read to the end; a
        // child the server left holding them must not delay the report.
        setTimeout(end, 2000);
      });
      proc.once('close', (code, sig) => {
        exit ??= { code, signal: sig };
        end();
      });
    });

  const sent = currentSettings();
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'dockerfile', scheme: 'file' },
      { language: 'dockerfile', scheme: 'untitled' },
    ],
    initializationOptions: sent,
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // A failed initialize (an error answer, or the connection closed by the
    // start timeout) is reported once, by the lifecycle's notification, not
    // also by the library's pop-up.
    initializationFailedHandler: (error) => {
      if (!stopping) {
        log('Warn', `initialize failed: ${describe(error)}`);
      }
      return false;
    },
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
  latest = client;
  const starting = client.start();
  starting.catch(() => undefined); // (when the timeout won)
  let timedOut = false;
  try {
    await withTimeout(starting, START_TIMEOUT_MS, () => {
      timedOut = true;
      return new Error(`did not answer initialize within ${START_TIMEOUT_MS / 1000} s`);
    });
  } catch (error) {
    stopping = true;
    if (timedOut) {
      log('Warn', `The server (pid ${child?.pid}) did not answer initialize within ${START_TIMEOUT_MS / 1000} s; killing it.`);
      child?.kill('SIGKILL');
    }
    await Promise.race([exited, sleep(1000)]);
    child?.kill('SIGKILL');
    void retire(client);
    throw timedOut || !exit ? error : new Error(exitReason(exit.code, exit.signal, stderr));
  }
  if (signal.aborted) {
    // Given up on while it started (the lifecycle has moved on): the process is killed.
    void retire(client);
    return undefined;
  }
  active = client;
  // A change while it started was not sent (there was no running client):
  // send the settings now if they are not those it started with.
  if (!sameSettings(currentSettings(false), sent)) {
    log('Info', 'The settings changed while the server started; sending them.');
    client.sendNotification('workspace/didChangeConfiguration', { settings: currentSettings() }).catch((error: unknown) => {
      log('Warn', `Sending the settings: ${describe(error)}`);
    });
  }
  return {
    stop: async () => {
      stopping = true;
      if (active === client) {
        active = undefined;
      }
      await retire(client);
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
    launch: (onExit, signal) => launch(context, onExit, signal),
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
  // The start is not awaited: activation is done once the commands exist;
  // the server comes up in the background and Restart Server queues behind it.
  const once = new StartOnce(() => void life.start());
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('dockerfile-lsp.restartServer', () => {
      once.markStarted();
      return life.restart();
    }),
    vscode.commands.registerCommand('dockerfile-lsp.showOutput', () => output?.show(true)),
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (document.languageId === LANGUAGE) {
        once.want();
      }
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      if (event.affectsConfiguration(`${SECTION}.server.path`)) {
        if (once.started) {
          await life.restart();
        }
      } else if (active?.isRunning()) {
        try {
          await active.sendNotification('workspace/didChangeConfiguration', { settings: currentSettings() });
        } catch (error) {
          log('Warn', `Sending the settings: ${describe(error)}`);
        }
      }
    }),
  );
  if (vscode.workspace.textDocuments.some((document) => document.languageId === LANGUAGE)) {
    once.want();
  } else if (!once.started) {
    // Activated by workspaceContains, or by a command in a folder without Dockerfiles?
    vscode.workspace.findFiles(DOCKERFILE_GLOB, undefined, 1).then(
      (files) => {
        if (files.length > 0) {
          once.want();
        }
      },
      (error: unknown) => log('Warn', `Looking for Dockerfiles in the workspace: ${describe(error)}`),
    );
  }
}

export async function deactivate(): Promise<void> {
  await lifecycle?.stop();
  if (latest) {
    await retire(latest);
  }
}
