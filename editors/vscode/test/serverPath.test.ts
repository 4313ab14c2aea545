import * as assert from 'assert';
import * as path from 'path';
import { findServer, Lookup } from '../src/serverPath';

function lookup(files: string[], overrides: Partial<Lookup> = {}): Lookup {
  return {
    configured: '',
    extensionDir: '/ext',
    pathEnv: '/usr/bin:/home/me/.cargo/bin',
    platform: 'linux',
    isExecutable: (file) => files.includes(file),
    ...overrides,
  };
}

describe('findServer', () => {
  it('uses the setting first', () => {
    const found = findServer(lookup(['/opt/dls', '/ext/server/dockerfile-lsp'], { configured: '/opt/dls' }));
    assert.deepStrictEqual(found, { path: '/opt/dls', from: 'setting' });
  });

  it('says so when the setting names no executable, rather than falling back', () => {
    const found = findServer(lookup(['/ext/server/dockerfile-lsp'], { configured: '/nope' }));
    assert.ok('error' in found);
    assert.match(found.error, /"\/nope", which is not an executable file/);
  });

  it('then the bundled binary, then PATH in order', () => {
    assert.deepStrictEqual(findServer(lookup(['/ext/server/dockerfile-lsp', '/usr/bin/dockerfile-lsp'])), {
      path: path.join('/ext', 'server', 'dockerfile-lsp'),
      from: 'bundled',
    });
    assert.deepStrictEqual(findServer(lookup(['/home/me/.cargo/bin/dockerfile-lsp'])), {
      path: '/home/me/.cargo/bin/dockerfile-lsp',
      from: 'PATH',
    });
  });

  it('looks for the .exe on Windows', () => {
    const found = findServer(
      lookup([path.join('C:\\tools', 'dockerfile-lsp.exe')], { platform: 'win32', pathEnv: 'C:\\tools;' }),
    );
    assert.ok('path' in found && found.from === 'PATH');
  });

  it('explains how to get it when it is nowhere', () => {
    const found = findServer(lookup([]));
    assert.ok('error' in found);
    assert.match(found.error, /not found.*cargo install.*dockerfile-lsp\.server\.path/s);
  });
});
