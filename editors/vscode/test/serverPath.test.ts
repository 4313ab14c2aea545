import * as assert from 'assert';
import * as path from 'path';
import { findServer, Lookup, parseVersion, Probe } from '../src/serverPath';

/** `files` exist and are executable; those in `broken` fail `--version` with the given reason. */
function lookup(files: string[], overrides: Partial<Lookup> = {}, broken: Record<string, string> = {}): Lookup {
  return {
    configured: '',
    extensionDir: '/ext',
    pathEnv: '/usr/bin:/home/me/.cargo/bin',
    platform: 'linux',
    isExecutable: (file) => files.includes(file),
    probe: async (file): Promise<Probe> => (file in broken ? { failure: broken[file] } : { output: 'dockerfile-lsp 0.1.0\n' }),
    ...overrides,
  };
}

const BUNDLED = path.join('/ext', 'server', 'dockerfile-lsp');

describe('findServer', () => {
  it('uses the setting first', async () => {
    const found = await findServer(lookup(['/opt/dls', BUNDLED], { configured: '/opt/dls' }));
    assert.deepStrictEqual(found, { path: '/opt/dls', from: 'setting', version: '0.1.0', skipped: [] });
  });

  it('says so when the setting names no executable, rather than falling back', async () => {
    const found = await findServer(lookup([BUNDLED], { configured: '/nope' }));
    assert.ok('error' in found);
    assert.match(found.error, /"\/nope", which is not an executable file/);
  });

  it('says so when the setting names a program that is not the server', async () => {
    const found = await findServer(
      lookup(['/usr/bin/true', BUNDLED], { configured: '/usr/bin/true', probe: async () => ({ output: '' }) }),
    );
    assert.ok('error' in found);
    assert.match(found.error, /"\/usr\/bin\/true", which does not run as dockerfile-lsp: `--version` printed ""/);
  });

  it('then the bundled binary, then PATH in order', async () => {
    assert.deepStrictEqual(await findServer(lookup([BUNDLED, '/usr/bin/dockerfile-lsp'])), {
      path: BUNDLED,
      from: 'bundled',
      version: '0.1.0',
      skipped: [],
    });
    assert.deepStrictEqual(await findServer(lookup(['/home/me/.cargo/bin/dockerfile-lsp'])), {
      path: '/home/me/.cargo/bin/dockerfile-lsp',
      from: 'PATH',
      version: '0.1.0',
      skipped: [],
    });
  });

  it('skips a bundled binary that cannot run here, says why, and takes the one on PATH', async () => {
    const found = await findServer(
      lookup([BUNDLED, '/home/me/.cargo/bin/dockerfile-lsp'], {}, { [BUNDLED]: 'ENOEXEC' }),
    );
    assert.ok('path' in found);
    assert.strictEqual(found.from, 'PATH');
    assert.strictEqual(found.skipped.length, 1);
    assert.match(found.skipped[0], /bundled with the extension .* cannot run on this machine \(ENOEXEC\).*another platform.*Trying PATH/);
  });

  it('skips a program on PATH that is not the server', async () => {
    const found = await findServer(
      lookup(['/usr/bin/dockerfile-lsp', '/home/me/.cargo/bin/dockerfile-lsp'], {}, { '/usr/bin/dockerfile-lsp': 'exit code 2' }),
    );
    assert.ok('path' in found && found.path === '/home/me/.cargo/bin/dockerfile-lsp');
    assert.match(found.skipped[0], /\/usr\/bin\/dockerfile-lsp on PATH cannot run \(exit code 2\)/);
  });

  it('looks for the .exe on Windows', async () => {
    const found = await findServer(
      lookup([path.join('C:\\tools', 'dockerfile-lsp.exe')], { platform: 'win32', pathEnv: 'C:\\tools;' }),
    );
    assert.ok('path' in found && found.from === 'PATH');
  });

  it('explains how to get it when it is nowhere', async () => {
    const found = await findServer(lookup([]));
    assert.ok('error' in found);
    assert.match(found.error, /not found.*cargo install.*platform.*dockerfile-lsp\.server\.path/s);
  });

  it('reads the version line', () => {
    assert.strictEqual(parseVersion('dockerfile-lsp 0.1.0\n'), '0.1.0');
    assert.strictEqual(parseVersion('hadolint 2.12.0'), undefined);
  });
});
