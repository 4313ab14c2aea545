// The extension in a real VS Code: code-server (VS Code's browser build)
// with the .vsix installed, driven through headless Chromium by
// playwright-core, the way a user would: keyboard, command palette, Quick
// Open, the editor's squiggles, the status bar, notifications.
//
// Run by scripts/test-vscode, which passes:
//   CODE_SERVER   the code-server binary (scripts/install/vscode.sh installs it)
//   VSIX          the package to install
//   MODE          "full" (the platform package: everything) or "universal"
//                 (no bundled server: the one on PATH is used)
//   SERVER_DIR    (universal) the folder with dockerfile-lsp, for PATH
//   OUTPUT_DIR    where screenshots and logs are kept
//   CHROMIUM      the browser (default /usr/bin/chromium)
//
// Every wait is bounded; on failure the message says what was expected and a
// screenshot is kept. code-server and Chromium are always killed at the end.

import * as assert from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium, Page } from 'playwright-core';

const CODE_SERVER = required('CODE_SERVER');
const VSIX = required('VSIX');
const MODE = process.env.MODE ?? 'full';
const OUTPUT_DIR = path.resolve(process.env.OUTPUT_DIR ?? path.join(__dirname, '..', '..', '..', 'test-output'));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'ui', 'workspace');
const SPLIT_TITLE = 'Split into deps, build and runner stages';
/** A keybinding for Restart Server, to restart twice faster than the palette can. */
const RESTART_KEY = 'Control+Alt+F9';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (run this test through scripts/test-vscode)`);
  }
  return value;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-lsp-vscode-'));
const userData = path.join(tmp, 'user-data');
const extensions = path.join(tmp, 'extensions');
const workspace = path.join(tmp, 'workspace');
const empty = path.join(tmp, 'empty');
const home = path.join(tmp, 'home');
// code-server gets a home of its own. Its extension host takes PATH from a
// login shell (as VS Code does), so a PATH for the server is set the way a
// user would set it: in ~/.profile.
const env = {
  ...process.env,
  HOME: home,
  SHELL: '/bin/sh',
  XDG_CONFIG_HOME: path.join(tmp, 'config'),
  XDG_DATA_HOME: path.join(tmp, 'data'),
};

let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let page: Page;
let port = 0;
let shots = 0;
/** The log folder of the current window's extension host. */
let exthost = '';

// ---------------------------------------------------------------- helpers

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value (not undefined/false), or fails with `what`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await sleep(250);
  }
}

async function screenshot(name: string): Promise<void> {
  shots++;
  const file = path.join(OUTPUT_DIR, `${MODE}-${String(shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address() as net.AddressInfo;
      probe.close(() => resolve(address.port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.setTimeout(2000, () => request.destroy());
  });
}

function exthostDirs(): string[] {
  const logs = path.join(userData, 'logs');
  if (!fs.existsSync(logs)) {
    return [];
  }
  return fs
    .readdirSync(logs)
    .flatMap((session) =>
      fs
        .readdirSync(path.join(logs, session))
        .filter((name) => name.startsWith('exthost'))
        .map((name) => path.join(logs, session, name)),
    );
}

/** The extension's output channel, as this window's extension host writes it ('' before activation). */
function outputLog(): string {
  if (!exthost || !fs.existsSync(exthost)) {
    return '';
  }
  for (const dir of fs.readdirSync(exthost).filter((name) => name.startsWith('output_logging_'))) {
    const file = fs.readdirSync(path.join(exthost, dir)).find((name) => name.endsWith('Dockerfile LSP.log'));
    if (file) {
      return fs.readFileSync(path.join(exthost, dir, file), 'utf8');
    }
  }
  return '';
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function activationEvent(): string | undefined {
  const file = path.join(exthost, 'remoteexthost.log');
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const line = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.includes('_doActivateExtension dockerfile-lsp.dockerfile-lsp'));
  return line ? /activationEvent: '([^']*)'/.exec(line)?.[1] : undefined;
}

/** Opens a folder in a fresh window (a fresh extension host). */
async function openWindow(folder: string): Promise<void> {
  const before = new Set(exthostDirs());
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('[id="status.problems"]').waitFor({ timeout: 60000 });
  exthost = await until('the extension host of the new window', () => exthostDirs().find((dir) => !before.has(dir)), 30000);
}

async function quickInput(open: () => Promise<void>, text: string, expectRow?: string, closes = true): Promise<void> {
  await open();
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(text);
  if (expectRow === undefined) {
    await page.keyboard.press('Enter');
  } else {
    // The row whose label is `expectRow` (then a comma, a space or nothing),
    // wherever recently used items put it.
    const exact = new RegExp(`^${expectRow.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([,\\s]|$)`);
    let previous = '';
    await until(`"${expectRow}" in the quick pick (typed "${text}")`, async () => {
      const rows = page.locator('.quick-input-list .monaco-list-row');
      const labels = await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute('aria-label') ?? ''));
      // Only a list that stayed the same for one poll has been filtered.
      const stable = JSON.stringify(labels) === previous;
      previous = JSON.stringify(labels);
      const label = stable ? labels.find((l) => exact.test(l)) : undefined;
      if (process.env.DEBUG_UI) {
        process.stderr.write(`quick pick for ${JSON.stringify(text)}: ${JSON.stringify(labels)}\n`);
      }
      if (label === undefined) {
        return undefined;
      }
      // The list may re-render (recently used, late results): click by label, retry if it moved.
      await page.locator(`.quick-input-list .monaco-list-row[aria-label=${JSON.stringify(label)}]`).first().click({ timeout: 2000 });
      return true;
    }, 15000);
  }
  if (closes) {
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10000 });
  }
}

async function runCommand(title: string): Promise<void> {
  await quickInput(() => page.keyboard.press('F1'), `>${title}`, title);
}

async function openFile(name: string): Promise<void> {
  await quickInput(() => page.keyboard.press('Control+P'), name, name);
  await until(`the editor tab for ${name}`, async () =>
    ((await page.locator('.tabs-container .tab.active').getAttribute('aria-label', { timeout: 1000 })) ?? '').startsWith(name),
  );
  await page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
}

async function goTo(line: number, column: number): Promise<void> {
  await quickInput(() => page.keyboard.press('Control+G'), `:${line}:${column}`);
  await until(`the cursor at Ln ${line}, Col ${column}`, async () =>
    (await page.locator('[id="status.editor.selection"]').innerText()).startsWith(`Ln ${line}, Col ${column}`),
  );
}

function squiggles(): Promise<number> {
  return page.locator('.editor-group-container.active .monaco-editor .view-overlays [class*="squiggly-"]').count();
}

async function languageMode(): Promise<string> {
  return (await page.locator('[id="status.editor.mode"]').innerText()).trim();
}

/** The status bar's problem counts: { errors, warnings, infos }. */
async function problems(): Promise<{ errors: number; warnings: number; infos: number }> {
  const label = (await page.locator('[id="status.problems"]').getAttribute('aria-label')) ?? '';
  const number = (kind: string) => Number(new RegExp(`${kind}: (\\d+)`).exec(label)?.[1] ?? 0);
  return { errors: number('Errors'), warnings: number('Warnings'), infos: number('Infos') };
}

/** The messages of the error notifications on screen. */
async function errorToasts(): Promise<string[]> {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  const messages: string[] = [];
  for (let i = 0; i < (await toasts.count()); i++) {
    const toast = toasts.nth(i);
    if ((await toast.locator('.codicon-error').count()) > 0) {
      messages.push((await toast.locator('.notification-list-item-message').innerText()).trim());
    }
  }
  return messages;
}

async function assertNoErrorToasts(when: string): Promise<void> {
  // Give a late pop-up the time to show.
  await sleep(1500);
  const errors = await errorToasts();
  assert.deepStrictEqual(errors, [], `error notifications ${when}: ${errors.join(' | ')}`);
}

async function clearNotifications(): Promise<void> {
  await runCommand('Notifications: Clear All Notifications');
}

/** Waits until the output log says the server started `n` times in this window. */
async function startedTimes(n: number): Promise<void> {
  await until(`"Server started" ${n} time(s) in the Dockerfile LSP output`, () => count(outputLog(), 'Server started (pid') >= n, 30000);
}

function lastPid(): number {
  const pids = [...outputLog().matchAll(/Server started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
  assert.ok(pids.length > 0, 'no server pid in the output log');
  return pids[pids.length - 1];
}

/** The output log must hold no error lines, except those about the given crashes. */
function assertCleanLog(allowed: RegExp[] = []): void {
  const log = outputLog();
  const errors = log.split('\n').filter((line) => line.startsWith('[Error') && !allowed.some((re) => re.test(line)));
  assert.deepStrictEqual(errors, [], `error lines in the Dockerfile LSP output:\n${log}`);
  assert.ok(!/exited with code/.test(log), `"exited with code" in the output:\n${log}`);
}

/** Kills code-server's process group (its extension hosts and our servers with it), synchronously. */
function killServerGroup(): void {
  if (server?.pid !== undefined) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// Killed from outside (the timeout in scripts/test-vscode, Ctrl-C): mocha's
// after() does not run, so clean up here. (playwright closes Chromium itself.)
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`vscode.ui: ${signal}: killing code-server\n`);
    killServerGroup();
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  });
}
process.once('exit', killServerGroup);

// ---------------------------------------------------------------- setup

before(async function () {
  this.timeout(180000);
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const file of fs.readdirSync(OUTPUT_DIR).filter((name) => name.startsWith(`${MODE}-`))) {
    fs.rmSync(path.join(OUTPUT_DIR, file), { force: true });
  }
  assert.ok(fs.existsSync(CODE_SERVER), `no code-server at ${CODE_SERVER}: run scripts/install/vscode.sh`);
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}: run scripts/install/vscode.sh`);
  assert.ok(fs.existsSync(VSIX), `no package at ${VSIX}`);

  fs.cpSync(FIXTURES, workspace, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  if (MODE === 'universal') {
    const dir = required('SERVER_DIR');
    assert.ok(fs.existsSync(path.join(dir, 'dockerfile-lsp')), `no dockerfile-lsp in SERVER_DIR ${dir}`);
    fs.writeFileSync(path.join(home, '.profile'), `PATH=${JSON.stringify(dir)}:"$PATH"\nexport PATH\n`);
  }
  fs.mkdirSync(empty, { recursive: true });
  fs.writeFileSync(path.join(empty, 'notes.txt'), 'Nothing for Docker here.\n');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'git.enabled': false,
        'chat.commandCenter.enabled': false,
        'editor.minimap.enabled': false,
        'editor.hover.delay': 200,
        'files.autoSave': 'off',
        // Each file opened stays open, so the Problems count adds up.
        'workbench.editor.enablePreview': false,
        'workbench.editor.enablePreviewFromQuickOpen': false,
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(
    path.join(userData, 'User', 'keybindings.json'),
    JSON.stringify([{ key: 'ctrl+alt+f9', command: 'dockerfile-lsp.restartServer' }]),
  );

  const install = spawnSync(
    CODE_SERVER,
    ['--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', VSIX, '--force'],
    { env, encoding: 'utf8', timeout: 60000 },
  );
  fs.writeFileSync(path.join(OUTPUT_DIR, `${MODE}-install.log`), `${install.stdout}\n${install.stderr}`);
  assert.strictEqual(install.status, 0, `code-server --install-extension ${VSIX} failed:\n${install.stdout}\n${install.stderr}`);
  assert.match(install.stdout, /successfully installed/, install.stdout);

  port = await freePort();
  const log = fs.openSync(path.join(OUTPUT_DIR, `${MODE}-code-server.log`), 'w');
  server = spawn(
    CODE_SERVER,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--user-data-dir', userData,
      '--extensions-dir', extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    { env, stdio: ['ignore', log, log], detached: true },
  );
  await until(`code-server answering on 127.0.0.1:${port} (see ${MODE}-code-server.log)`, async () => {
    assert.strictEqual(server?.exitCode, null, 'code-server exited');
    return (await httpStatus(`http://127.0.0.1:${port}/healthz`)) === 200;
  }, 60000);

  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    timeout: 60000,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20000);
});

afterEach(async function () {
  if (this.currentTest?.state === 'failed') {
    await screenshot(`FAILED-${(this.currentTest.title ?? 'test').replace(/[^a-z0-9]+/gi, '-')}`);
    fs.writeFileSync(path.join(OUTPUT_DIR, `${MODE}-FAILED-output.log`), outputLog());
  }
});

after(async function () {
  this.timeout(30000);
  if (exthost) {
    fs.writeFileSync(path.join(OUTPUT_DIR, `${MODE}-dockerfile-lsp-output.log`), outputLog());
  }
  await context?.close().catch(() => undefined);
  if (server?.pid !== undefined && server.exitCode === null) {
    const group = -server.pid;
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(5000)]);
    killServerGroup(); // the extension hosts and servers too
  }
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
});

// ---------------------------------------------------------------- tests

if (MODE === 'universal') {
  describe('the universal package (no bundled server)', function () {
    it('starts the server found on PATH when a Dockerfile opens', async function () {
      await openWindow(workspace);
      await openFile('app.dockerfile');
      assert.match(await languageMode(), /Docker/);
      await until('squiggles in app.dockerfile', async () => (await squiggles()) > 0, 30000);
      await startedTimes(1);
      assert.match(outputLog(), /Starting \S+ \(dockerfile-lsp \S+, PATH\)/, outputLog());
      await screenshot('universal-from-PATH');
      await assertNoErrorToasts('after the start');
      assertCleanLog();
    });

    it('skips a bundled binary that cannot run here, says so, and uses PATH', async function () {
      // What a package for another platform would hold: a Mach-O header.
      const installed = fs.readdirSync(extensions).find((name) => name.startsWith('dockerfile-lsp.dockerfile-lsp-'));
      assert.ok(installed, `the extension is not in ${extensions}`);
      const bundled = path.join(extensions, installed, 'server', 'dockerfile-lsp');
      fs.mkdirSync(path.dirname(bundled), { recursive: true });
      fs.writeFileSync(bundled, Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0, 0, 1]), Buffer.alloc(64)]));
      fs.chmodSync(bundled, 0o755);
      const started = count(outputLog(), 'Server started (pid');
      await runCommand('Dockerfile LSP: Restart Server');
      await startedTimes(started + 1);
      const warning = page.locator('.notifications-toasts .notification-toast', { hasText: 'cannot run on this machine' }).first();
      await warning.waitFor({ timeout: 15000 });
      assert.match(await warning.innerText(), /another platform\? Trying PATH/);
      const log = outputLog();
      assert.match(log, /\[Warn {2}- [^\]]*\] The server bundled with the extension \(.*\) cannot run on this machine/, log);
      assert.match(log.slice(log.lastIndexOf('cannot run on this machine')), /Starting \S+ \(dockerfile-lsp \S+, PATH\)/, log);
      await until('squiggles in app.dockerfile', async () => (await squiggles()) > 0);
      await sleep(600);
      await screenshot('universal-bundled-skipped');
      await assertNoErrorToasts('after skipping the bundled binary');
      assertCleanLog();
      fs.rmSync(path.dirname(bundled), { recursive: true, force: true });
    });
  });
} else {
  describe('the extension in code-server', function () {
    it('Show Output in a folder without Dockerfiles starts no server; Restart Server then starts it, no error', async function () {
      await openWindow(empty);
      await sleep(2000);
      assert.strictEqual(outputLog(), '', 'the extension is active in a folder without Dockerfiles');
      await runCommand('Dockerfile LSP: Show Output'); // activates the extension
      await sleep(3000);
      assert.ok(!/Starting |Server started/.test(outputLog()), `a server started on Show Output:\n${outputLog()}`);
      await runCommand('Dockerfile LSP: Restart Server');
      await startedTimes(1);
      await assertNoErrorToasts('after Restart Server before any start');
      await screenshot('restart-never-started');
      assertCleanLog();
    });

    it('activates on the dockerfile language (an untitled document set to Dockerfile)', async function () {
      await openWindow(empty);
      await sleep(1000);
      assert.strictEqual(outputLog(), '', 'active before any Dockerfile');
      await runCommand('File: New Untitled Text File');
      await page.keyboard.type('FROM alpine:3.20 as base\n');
      await quickInput(() => page.keyboard.press('F1'), '>Change Language Mode', 'Change Language Mode', false);
      await until('the language picker', async () =>
        /language/i.test((await page.locator('.quick-input-widget input.input').getAttribute('placeholder')) ?? ''),
      );
      await quickInput(async () => undefined, 'Dockerfile', 'Dockerfile');
      assert.match(await languageMode(), /Docker/);
      await startedTimes(1);
      assert.strictEqual(activationEvent(), 'onLanguage:dockerfile');
      await until('a squiggle in the untitled Dockerfile', async () => (await squiggles()) > 0);
      await screenshot('untitled-onLanguage');
    });

    it('activates without any command when a folder with Dockerfiles opens, and every name is a Dockerfile', async function () {
      await openWindow(workspace);
      await startedTimes(1);
      assert.match(activationEvent() ?? '', /^workspaceContains:/);
      assert.match(outputLog(), /Starting \S+ \(dockerfile-lsp \S+, bundled\)/, outputLog());
      const expected: Record<string, { errors: number; warnings: number }> = {
        Dockerfile: { errors: 0, warnings: 1 },
        'Dockerfile.dev': { errors: 0, warnings: 3 },
        Containerfile: { errors: 0, warnings: 5 },
        'app.dockerfile': { errors: 1, warnings: 7 },
      };
      for (const [name, totals] of Object.entries(expected)) {
        await openFile(name);
        assert.match(await languageMode(), /^Docker(file)?$/, `${name}: language mode`);
        await until(`squiggles in ${name}`, async () => (await squiggles()) > 0);
        await until(
          `the Problems count ${JSON.stringify(totals)} with ${name} opened`,
          async () => {
            const now = await problems();
            return now.errors === totals.errors && now.warnings === totals.warnings;
          },
        ).catch(async (error) => {
          throw new Error(`${error.message}; it shows ${JSON.stringify(await problems())}`);
        });
        await screenshot(`opened-${name}`);
      }
      await assertNoErrorToasts('after opening the Dockerfiles');
    });

    it('explains a stage on hover', async function () {
      await openFile('Dockerfile');
      await goTo(7, 18); // FROM node:22 AS b|uild
      await runCommand('Show or Focus Hover');
      const hover = page.locator('.monaco-hover:not(.hidden) .hover-contents').first();
      await until('the hover on the build stage', async () => /builds the application/.test(await hover.innerText({ timeout: 1000 })));
      assert.match(await hover.innerText(), /Used by: runner/);
      await sleep(600); // the hover fades in
      await screenshot('hover-stage');
      await page.keyboard.press('Escape');
    });

    it('goes from --from=build to the FROM ... AS build line', async function () {
      await goTo(16, 14); // COPY --from=b|uild
      await page.keyboard.press('F12');
      await until('the cursor on line 7 (FROM node:22 AS build)', async () =>
        (await page.locator('[id="status.editor.selection"]').innerText()).startsWith('Ln 7,'),
      ).catch(async (error) => {
        throw new Error(`${error.message}; it is at ${await page.locator('[id="status.editor.selection"]').innerText()}`);
      });
      await screenshot('definition');
    });

    it('applies the split into stages', async function () {
      await openFile('Dockerfile.dev');
      await goTo(1, 1);
      await runCommand('Refactor...');
      const action = page.locator('.action-widget .monaco-list-row', { hasText: SPLIT_TITLE }).first();
      await action.waitFor({ timeout: 15000 });
      await screenshot('split-offered');
      // The list focuses the first action; Enter applies the focused row.
      await until('the split action focused', async () => /focused/.test((await action.getAttribute('class')) ?? ''), 5000);
      await page.keyboard.press('Enter');
      await until('the split text in the editor', async () =>
        // (Monaco renders spaces as no-break spaces.)
        /AS\s+runner/.test((await page.locator('.editor-group-container.active .view-lines').innerText()).replace(/\u00a0/g, ' ')),
      );
      await page.keyboard.press('Control+S');
      const text = await until('Dockerfile.dev saved with the stages', () => {
        const now = fs.readFileSync(path.join(workspace, 'Dockerfile.dev'), 'utf8');
        return /AS runner/.test(now) ? now : undefined;
      });
      for (const stage of ['deps', 'build', 'runner']) {
        assert.match(text, new RegExp(`^FROM .* AS ${stage}$`, 'm'), text);
      }
      await screenshot('split-applied');
    });

    it('a setting change takes effect: dockerfile-lsp.rules turns FromAsCasing off', async function () {
      await openFile('Dockerfile');
      await until('the FromAsCasing squiggle', async () => (await squiggles()) > 0);
      const before = await problems();
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(
        path.join(workspace, '.vscode', 'settings.json'),
        JSON.stringify({ 'dockerfile-lsp.rules': { FromAsCasing: 'off' } }, null, 2),
      );
      await until('no squiggle left in Dockerfile', async () => (await squiggles()) === 0, 30000);
      await until('one warning fewer in the Problems count', async () => (await problems()).warnings === before.warnings - 1);
      await screenshot('setting-rule-off');
    });

    it('Restart Server while running, and several times in a row (each while the one before starts): no error', async function () {
      await openFile('app.dockerfile');
      await until('squiggles in app.dockerfile', async () => (await squiggles()) > 0);
      await clearNotifications();
      const started = count(outputLog(), 'Server started (pid');
      await runCommand('Dockerfile LSP: Restart Server');
      await startedTimes(started + 1);
      // Three more in a row: each queues behind the one before, so the next
      // stop comes right as a start ends, while VS Code's first requests to
      // the new server wait for it.
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press(RESTART_KEY);
        await sleep(30);
      }
      await startedTimes(started + 4);
      await until('squiggles back in app.dockerfile', async () => (await squiggles()) > 0);
      await assertNoErrorToasts('after restarting a running server');
      assertCleanLog();
      await screenshot('restarted');
    });

    it('a crash says why and offers Restart; Restart Server after a crash works too', async function () {
      const started = count(outputLog(), 'Server started (pid');
      process.kill(lastPid(), 'SIGKILL');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'stopped unexpectedly' }).first();
      await toast.waitFor({ timeout: 20000 });
      assert.match(await toast.innerText(), /killed by SIGKILL/);
      await sleep(600); // the toast slides in
      await screenshot('crash-notification');
      await toast.getByRole('button', { name: 'Restart' }).click();
      await startedTimes(started + 1);
      await until('squiggles back after Restart', async () => (await squiggles()) > 0);
      await clearNotifications();

      process.kill(lastPid(), 'SIGKILL');
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'stopped unexpectedly' }).first().waitFor();
      await clearNotifications();
      await runCommand('Dockerfile LSP: Restart Server');
      await startedTimes(started + 2);
      await until('squiggles back after Restart Server', async () => (await squiggles()) > 0);
      await assertNoErrorToasts('after restarting a crashed server');
      assertCleanLog([/killed by SIGKILL/, /stopped unexpectedly/]);
      await screenshot('restarted-after-crash');
    });

    it('a server that never answers initialize is killed after 20 s, the failure offers Restart; clearing server.path brings the bundled one back', async function () {
      this.timeout(120000);
      // Passes the --version check, then never reads a message. Named
      // through ${workspaceFolder}, which the extension expands.
      const hang = path.join(workspace, 'hang-server');
      fs.writeFileSync(hang, '#!/bin/sh\nif [ "$1" = --version ]; then echo "dockerfile-lsp 0.0.0-hang"; exit 0; fi\nexec sleep 600\n');
      fs.chmodSync(hang, 0o755);
      const settingsFile = path.join(workspace, '.vscode', 'settings.json');
      const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
      await clearNotifications();
      const started = count(outputLog(), 'Server started (pid');
      fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'dockerfile-lsp.server.path': '${workspaceFolder}/hang-server' }, null, 2));
      await startedTimes(started + 1); // the path changed: restarted
      assert.match(outputLog(), new RegExp(`Starting ${hang.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(dockerfile-lsp 0\\.0\\.0-hang, setting\\)`), outputLog());
      const pid = lastPid();
      const began = Date.now();
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'did not answer initialize within 20 s' }).first();
      await toast.waitFor({ timeout: 40000 });
      const waited = Date.now() - began;
      assert.ok(waited > 15000, `the failure came after ${waited} ms, before the 20 s`);
      assert.match(await toast.innerText(), /failed to start/);
      await toast.getByRole('button', { name: 'Restart' }).waitFor({ timeout: 5000 });
      await sleep(1500);
      await screenshot('initialize-timeout');
      // One notification says it, not also the library's own pop-up.
      assert.deepStrictEqual(await errorToasts(), ['The Dockerfile LSP server failed to start: did not answer initialize within 20 s.']);
      await until(`the hung server (pid ${pid}) killed`, () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 5000);
      // Back to the bundled server (the setting changed: restarted).
      fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
      await startedTimes(started + 2);
      await until('squiggles back with the bundled server', async () => (await squiggles()) > 0, 30000);
      assert.match(outputLog().slice(outputLog().lastIndexOf('Starting ')), /^Starting \S+ \(dockerfile-lsp \S+, bundled\)/, outputLog());
      await clearNotifications();
      await assertNoErrorToasts('after the bundled server is back');
      fs.rmSync(hang, { force: true });
    });
  });
}
