// Where the server binary is: the `dockerfile-lsp.server.path` setting, the
// binary bundled in the extension's `server/` folder (platform packages), or
// PATH. Each candidate must answer `--version` as dockerfile-lsp before it is
// chosen, so a bundled binary for another platform (or a broken one) is
// skipped, with the reason, and PATH tried. Pure: the file system and the
// process runner are passed in, so it is tested without VS Code.

import * as path from 'path';

export interface Lookup {
  /** The `dockerfile-lsp.server.path` setting ('' when unset). */
  configured: string;
  /** The extension's own folder. */
  extensionDir: string;
  /** The PATH environment variable. */
  pathEnv: string;
  platform: NodeJS.Platform;
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

export async function findServer(lookup: Lookup): Promise<Found> {
  const exe = lookup.platform === 'win32' ? 'dockerfile-lsp.exe' : 'dockerfile-lsp';
  const skipped: string[] = [];
  const configured = lookup.configured.trim();
  if (configured !== '') {
    if (!lookup.isExecutable(configured)) {
      return {
        error: `dockerfile-lsp.server.path is "${configured}", which is not an executable file. Fix the setting or clear it to use the bundled server or the one on PATH.`,
        skipped,
      };
    }
    const checked = await check(lookup, configured);
    if ('why' in checked) {
      return {
        error: `dockerfile-lsp.server.path is "${configured}", which does not run as dockerfile-lsp: ${checked.why}. Fix the setting or clear it to use the bundled server or the one on PATH.`,
        skipped,
      };
    }
    return { path: configured, from: 'setting', version: checked.version, skipped };
  }
  const bundled = path.join(lookup.extensionDir, 'server', exe);
  if (lookup.isExecutable(bundled)) {
    const checked = await check(lookup, bundled);
    if ('version' in checked) {
      return { path: bundled, from: 'bundled', version: checked.version, skipped };
    }
    skipped.push(
      `The server bundled with the extension (${bundled}) cannot run on this machine (${checked.why}); is this the package for another platform? Trying PATH.`,
    );
  }
  const separator = lookup.platform === 'win32' ? ';' : ':';
  const seen = new Set<string>();
  for (const dir of lookup.pathEnv.split(separator)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, exe);
    if (seen.has(candidate) || !lookup.isExecutable(candidate)) {
      continue;
    }
    seen.add(candidate);
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
