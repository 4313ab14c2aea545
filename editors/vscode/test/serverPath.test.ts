import * as assert from 'assert';
import * as path from 'path';
import { configuredCandidates, findServer, Lookup, parseVersion, pathDirs, Probe, probeFailure } from '../src/serverPath';

/** `files` exist and are executable; those in `broken` fail `--version` with the given reason. */
function lookup(files: string[], overrides: Partial<Lookup> = {}, broken: Record<string, string> = {}): Lookup {
  return {
    configured: '',
    extensionDir: '/ext',
    pathEnv: '/usr/bin:/home/me/.cargo/bin',
    platform: 'linux',
    home: '/home/me',
    workspaceFolder: '/ws',
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

  it('looks for the .exe on Windows, with Windows paths even when tested elsewhere', async () => {
    const found = await findServer(
      lookup(['C:\\tools\\dockerfile-lsp.exe'], { platform: 'win32', pathEnv: 'C:\\tools;', extensionDir: 'C:\\ext' }),
    );
    assert.deepStrictEqual(found, { path: 'C:\\tools\\dockerfile-lsp.exe', from: 'PATH', version: '0.1.0', skipped: [] });
  });

  it('takes the bundled .exe on Windows from the extension folder', async () => {
    const found = await findServer(lookup(['C:\\ext\\server\\dockerfile-lsp.exe'], { platform: 'win32', extensionDir: 'C:\\ext' }));
    assert.ok('path' in found && found.path === 'C:\\ext\\server\\dockerfile-lsp.exe' && found.from === 'bundled');
  });

  it('reads quoted PATH entries on Windows and tries a folder once whatever its case', async () => {
    const probed: string[] = [];
    const found = await findServer(
      lookup(['C:\\Program Files\\dls\\dockerfile-lsp.exe'], {
        platform: 'win32',
        extensionDir: 'C:\\ext',
        pathEnv: 'C:\\Tools;c:\\tools;"C:\\Program Files\\dls"',
        isExecutable: (file) => {
          probed.push(file);
          return file === 'C:\\Program Files\\dls\\dockerfile-lsp.exe';
        },
      }),
    );
    assert.ok('path' in found && found.path === 'C:\\Program Files\\dls\\dockerfile-lsp.exe', JSON.stringify(found));
    assert.deepStrictEqual(probed, [
      'C:\\ext\\server\\dockerfile-lsp.exe',
      'C:\\Tools\\dockerfile-lsp.exe',
      'C:\\Program Files\\dls\\dockerfile-lsp.exe',
    ]);
  });

  it('splits PATH as the platform does', () => {
    assert.deepStrictEqual(pathDirs('/a::/b', 'linux'), ['/a', '/b']);
    assert.deepStrictEqual(pathDirs('"C:\\a b";;C:\\c', 'win32'), ['C:\\a b', 'C:\\c']);
  });

  it('explains how to get it when it is nowhere', async () => {
    const found = await findServer(lookup([]));
    assert.ok('error' in found);
    assert.match(found.error, /not found.*cargo install.*platform.*dockerfile-lsp\.server\.path/s);
  });

  it('expands ~, ${userHome} and ${workspaceFolder} in the setting and resolves a relative path against the folder', () => {
    const c = (configured: string, overrides: Partial<Lookup> = {}) => configuredCandidates(lookup([], { configured, ...overrides }));
    assert.deepStrictEqual(c('~/bin/dockerfile-lsp'), { candidates: ['/home/me/bin/dockerfile-lsp'], where: '(/home/me/bin/dockerfile-lsp)' });
    assert.deepStrictEqual(c('${userHome}/dls'), { candidates: ['/home/me/dls'], where: '(/home/me/dls)' });
    assert.deepStrictEqual(c('${workspaceFolder}/target/debug/dockerfile-lsp'), {
      candidates: ['/ws/target/debug/dockerfile-lsp'],
      where: '(/ws/target/debug/dockerfile-lsp)',
    });
    assert.deepStrictEqual(c('./target/../bin/dls'), { candidates: ['/ws/bin/dls'], where: '(/ws/bin/dls)' });
    assert.deepStrictEqual(c('/opt/dls'), { candidates: ['/opt/dls'], where: '' });
    assert.deepStrictEqual(c('bin\\dls.exe', { platform: 'win32', workspaceFolder: 'C:\\ws', home: 'C:\\Users\\me' }), {
      candidates: ['C:\\ws\\bin\\dls.exe'],
      where: '(C:\\ws\\bin\\dls.exe)',
    });
    assert.deepStrictEqual(c('~\\dls', { platform: 'win32', workspaceFolder: 'C:\\ws', home: 'C:\\Users\\me' }), {
      candidates: ['C:\\Users\\me\\dls', 'C:\\Users\\me\\dls.exe'],
      where: '(C:\\Users\\me\\dls)',
    });
  });

  it('says why a relative or ${workspaceFolder} setting cannot be used when no folder is open', async () => {
    for (const configured of ['bin/dls', '${workspaceFolder}/dls']) {
      const found = await findServer(lookup(['/bin/dls', '/dls'], { configured, workspaceFolder: undefined }));
      assert.ok('error' in found);
      assert.match(found.error, /no folder is open.*absolute path/);
    }
  });

  it('uses the setting resolved against the workspace folder', async () => {
    const found = await findServer(lookup(['/ws/bin/dls'], { configured: 'bin/dls' }));
    assert.deepStrictEqual(found, { path: '/ws/bin/dls', from: 'setting', version: '0.1.0', skipped: [] });
    const missing = await findServer(lookup([], { configured: 'bin/dls' }));
    assert.ok('error' in missing);
    assert.match(missing.error, /"bin\/dls", which is not an executable file \(\/ws\/bin\/dls\)/);
  });

  it('looks a setting without a path separator up on PATH', async () => {
    const found = await findServer(lookup(['/home/me/.cargo/bin/dls-nightly'], { configured: 'dls-nightly' }));
    assert.deepStrictEqual(found, { path: '/home/me/.cargo/bin/dls-nightly', from: 'setting', version: '0.1.0', skipped: [] });
    const missing = await findServer(lookup([], { configured: 'dls-nightly' }));
    assert.ok('error' in missing);
    assert.match(missing.error, /"dls-nightly", a program name, but there is no such program on PATH/);
  });

  it('on Windows a setting without .exe finds the .exe', async () => {
    const found = await findServer(
      lookup(['C:\\dls\\dockerfile-lsp.exe'], { configured: 'C:\\dls\\dockerfile-lsp', platform: 'win32' }),
    );
    assert.ok('path' in found && found.path === 'C:\\dls\\dockerfile-lsp.exe', JSON.stringify(found));
    const onPath = await findServer(
      lookup(['D:\\bin\\dls.exe'], { configured: 'dls', platform: 'win32', pathEnv: 'C:\\x;"D:\\bin"' }),
    );
    assert.ok('path' in onPath && onPath.path === 'D:\\bin\\dls.exe', JSON.stringify(onPath));
  });

  it('reports a --version that timed out as such, not as the signal that ended it', () => {
    assert.strictEqual(
      probeFailure({ killed: true, signal: 'SIGKILL', code: null, message: 'Command failed' }, '', 5000),
      'did not answer --version within 5 s',
    );
    assert.strictEqual(probeFailure({ code: 2, message: 'x' }, 'error: bad flag\nmore', 5000), 'exit code 2: error: bad flag');
    assert.strictEqual(probeFailure({ signal: 'SIGSEGV', code: null, message: 'x' }, '', 5000), 'killed by SIGSEGV');
    assert.strictEqual(probeFailure({ code: 'ENOEXEC', message: 'x' }, '\u0000\u0001ELF', 5000), 'ENOEXEC: ?ELF');
  });

  it('reads the version line', () => {
    assert.strictEqual(parseVersion('dockerfile-lsp 0.1.0\n'), '0.1.0');
    assert.strictEqual(parseVersion('hadolint 2.12.0'), undefined);
  });
});
