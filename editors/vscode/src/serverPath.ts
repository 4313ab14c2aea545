// Where the server binary is: the `dockerfile-lsp.server.path` setting, the
// binary bundled in the extension's `server/` folder, or PATH. Pure (the
// file system is passed in), so it is tested without VS Code.

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
}

export type Found = { path: string; from: 'setting' | 'bundled' | 'PATH' } | { error: string };

export function findServer(lookup: Lookup): Found {
  const exe = lookup.platform === 'win32' ? 'dockerfile-lsp.exe' : 'dockerfile-lsp';
  const configured = lookup.configured.trim();
  if (configured !== '') {
    if (lookup.isExecutable(configured)) {
      return { path: configured, from: 'setting' };
    }
    return {
      error: `dockerfile-lsp.server.path is "${configured}", which is not an executable file. Fix the setting or clear it to use the bundled server or the one on PATH.`,
    };
  }
  const bundled = path.join(lookup.extensionDir, 'server', exe);
  if (lookup.isExecutable(bundled)) {
    return { path: bundled, from: 'bundled' };
  }
  const separator = lookup.platform === 'win32' ? ';' : ':';
  for (const dir of lookup.pathEnv.split(separator)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, exe);
    if (lookup.isExecutable(candidate)) {
      return { path: candidate, from: 'PATH' };
    }
  }
  return {
    error: `The dockerfile-lsp server was not found: not bundled with the extension and not on PATH. Install it (cargo install --path . in the dockerfile-lsp repository) or set dockerfile-lsp.server.path.`,
  };
}
