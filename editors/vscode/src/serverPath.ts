// Where the server binary is: the `dockerfile-lsp.server.path` setting, the
// binary bundled in the extension's `server/` folder (platform packages), or
// PATH. Each candidate must answer `--version` as dockerfile-lsp before it is
// chosen, so a bundled binary for another platform (or a broken one) is
// skipped, with the reason, and PATH tried. Pure: the file system and the
// process runner are passed in, and paths are built with the path module of
// `lookup.platform` (path.win32 for Windows even when tested on Linux), so it
// is tested without VS Code.

import * as path from 'path';

export interface Lookup {
  /** The `dockerfile-lsp.server.path` setting ('' when unset). */
  configured: string;
  /** The extension's own folder. */
  extensionDir: string;
  /** The PATH environment variable. */
  pathEnv: string;
  platform: NodeJS.Platform;
  /** The user's home folder, for `~` and `${userHome}` in the setting. */
  home: string;
  /** The first workspace folder on disk, for `${workspaceFolder}` and relative paths (undefined: none open). */
  workspaceFolder?: string;
  /** Whether a file exists and can be run. */
  isExecutable: (file: string) => boolean;
  /** Runs `file --version`: its first line of output, or why it could not run. */
  probe: (file: string) => Promise<Probe>;
}

export type Probe = { output: string } | { failure: string };

export type From = 'setting' | 'bundled' | 'PATH';

export type Found =
  | { path: string; from: From; version: string; skipped: string[] }
  | { error: string; skipped: string[] };

/** `dockerfile-lsp 0.1.0` → `0.1.0`; undefined when it is another program. */
export function parseVersion(output: string): string | undefined {
  const match = /^dockerfile-lsp\s+(\S+)/.exec(output.trim());
  return match ? match[1] : undefined;
}

/** How `file --version` failed, as execFile reports it (`killed`: by its timeout). */
export function probeFailure(
  error: { code?: number | string | null; signal?: string | null; killed?: boolean; message: string },
  stderr: string,
  timeoutMs: number,
): string {
  const { code, signal, killed } = error;
  const how = killed
    ? `did not answer --version within ${timeoutMs / 1000} s`
    : typeof code === 'number'
      ? `exit code ${code}`
      : signal
        ? `killed by ${signal}`
        : (code ?? error.message);
  // (A binary for another platform may be run by /bin/sh, which prints its bytes.)
  const detail = stderr
    .trim()
    .split('\n')[0]
    .replace(/[^\x20-\x7e]+/g, '?');
  return `${how}${detail ? `: ${detail.slice(0, 200)}` : ''}`;
}

function pathModule(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/**
 * The folders of PATH, in order: empty entries left out, on Windows the
 * quotes around an entry removed (`"C:\Program Files\x";C:\y` is valid there).
 */
export function pathDirs(pathEnv: string, platform: NodeJS.Platform): string[] {
  const dirs: string[] = [];
  for (let dir of pathEnv.split(platform === 'win32' ? ';' : ':')) {
    if (platform === 'win32') {
      dir = dir.trim().replace(/^"(.*)"$/, '$1');
    }
    if (dir !== '') {
      dirs.push(dir);
    }
  }
  return dirs;
}

/** `name` (and on Windows `name.exe`) in each PATH folder, without duplicates (case-insensitive on Windows). */
function onPath(lookup: Lookup, names: string[]): string[] {
  const p = pathModule(lookup.platform);
  const seen = new Set<string>();
  const candidates: string[] = [];
  for (const dir of pathDirs(lookup.pathEnv, lookup.platform)) {
    for (const name of names) {
      const candidate = p.join(dir, name);
      const key = lookup.platform === 'win32' ? candidate.toLowerCase() : candidate;
      if (!seen.has(key)) {
        seen.add(key);
        candidates.push(candidate);
      }
    }
  }
  return candidates;
}

/** On Windows a name without `.exe` may mean the `.exe`. */
function withExe(file: string, platform: NodeJS.Platform): string[] {
  return platform === 'win32' && !/\.exe$/i.test(file) ? [file, `${file}.exe`] : [file];
}

/**
 * The setting as files to try: `~`, `${userHome}` and `${workspaceFolder}`
 * expanded, a relative path resolved against the first workspace folder, a
 * bare name (no path separator) looked up on PATH.
 */
export function configuredCandidates(lookup: Lookup): { candidates: string[]; where: string } | { error: string } {
  const p = pathModule(lookup.platform);
  const raw = lookup.configured.trim();
  const setting = `dockerfile-lsp.server.path is "${raw}"`;
  const separators = lookup.platform === 'win32' ? /[\\/]/ : /\//;
  let value = raw;
  if (value.includes('${workspaceFolder}')) {
    if (lookup.workspaceFolder === undefined) {
      return { error: `${setting}, which uses \${workspaceFolder}, but no folder is open. Open the folder, or use an absolute path.` };
    }
    value = value.split('${workspaceFolder}').join(lookup.workspaceFolder);
  }
  value = value.split('${userHome}').join(lookup.home);
  if (value === '~' || (value.startsWith('~') && separators.test(value[1] ?? ''))) {
    value = lookup.home + value.slice(1);
  }
  if (!separators.test(value)) {
    // A program name, as in a shell: looked up on PATH.
    return { candidates: onPath(lookup, withExe(value, lookup.platform)), where: 'on PATH' };
  }
  if (!p.isAbsolute(value)) {
    if (lookup.workspaceFolder === undefined) {
      return {
        error: `${setting}, a relative path, but no folder is open to resolve it against. Open the folder, or use an absolute path.`,
      };
    }
    value = p.resolve(lookup.workspaceFolder, value);
  } else {
    value = p.normalize(value);
  }
  return { candidates: withExe(value, lookup.platform), where: value === raw ? '' : `(${value})` };
}

async function check(lookup: Lookup, file: string): Promise<{ version: string } | { why: string }> {
  const result = await lookup.probe(file);
  if ('failure' in result) {
    return { why: result.failure };
  }
  const version = parseVersion(result.output);
  if (version === undefined) {
    const said = result.output.trim().split('\n')[0] ?? '';
    return { why: `\`--version\` printed "${said.slice(0, 80)}", not "dockerfile-lsp <version>"` };
  }
  return { version };
}

const FIX = 'Fix the setting or clear it to use the bundled server or the one on PATH.';

async function fromSetting(lookup: Lookup, skipped: string[]): Promise<Found> {
  const raw = lookup.configured.trim();
  const setting = `dockerfile-lsp.server.path is "${raw}"`;
  const resolved = configuredCandidates(lookup);
  if ('error' in resolved) {
    return { error: resolved.error, skipped };
  }
  const file = resolved.candidates.find((candidate) => lookup.isExecutable(candidate));
  if (file === undefined) {
    const what =
      resolved.where === 'on PATH'
        ? 'a program name, but there is no such program on PATH'
        : `which is not an executable file${resolved.where ? ` ${resolved.where}` : ''}`;
    return { error: `${setting}, ${what}. ${FIX}`, skipped };
  }
  const checked = await check(lookup, file);
  if ('why' in checked) {
    const shown = file === raw ? '' : ` (${file})`;
    return { error: `${setting}${shown}, which does not run as dockerfile-lsp: ${checked.why}. ${FIX}`, skipped };
  }
  return { path: file, from: 'setting', version: checked.version, skipped };
}

export async function findServer(lookup: Lookup): Promise<Found> {
  const exe = lookup.platform === 'win32' ? 'dockerfile-lsp.exe' : 'dockerfile-lsp';
  const skipped: string[] = [];
  if (lookup.configured.trim() !== '') {
    return fromSetting(lookup, skipped);
  }
  const bundled = pathModule(lookup.platform).join(lookup.extensionDir, 'server', exe);
  if (lookup.isExecutable(bundled)) {
    const checked = await check(lookup, bundled);
    if ('version' in checked) {
      return { path: bundled, from: 'bundled', version: checked.version, skipped };
    }
    skipped.push(
      `The server bundled with the extension (${bundled}) cannot run on this machine (${checked.why}); is this the package for another platform? Trying PATH.`,
    );
  }
  for (const candidate of onPath(lookup, [exe])) {
    if (!lookup.isExecutable(candidate)) {
      continue;
    }
    const checked = await check(lookup, candidate);
    if ('version' in checked) {
      return { path: candidate, from: 'PATH', version: checked.version, skipped };
    }
    skipped.push(`${candidate} on PATH cannot run (${checked.why}); skipped.`);
  }
  return {
    error:
      'The dockerfile-lsp server was not found: ' +
      (skipped.length > 0 ? 'no server that runs here is bundled with the extension or on PATH' : 'not bundled with the extension and not on PATH') +
      '. Install it (cargo install --path . in the dockerfile-lsp repository, or a release binary on PATH), install the extension package for your platform, or set dockerfile-lsp.server.path.',
    skipped,
  };
}
