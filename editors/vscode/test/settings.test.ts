import * as assert from 'assert';
import { sameSettings, serverSettings, Getter } from '../src/settings';

function getter(values: Record<string, unknown>): Getter {
  return <T>(key: string, fallback: T) => (key in values ? (values[key] as T) : fallback);
}

describe('serverSettings', () => {
  it('sends rule levels, disabled rules as off, and build args as strings', () => {
    const { settings, problems } = serverSettings(
      getter({
        rules: { MissingHealthcheck: 'hint', DL3008: 'error' },
        disabledRules: ['SecretInLayer', ' DL3018 ', ''],
        buildArgs: { NODE_VERSION: '22', WORKERS: 4 },
      }),
    );
    assert.deepStrictEqual(settings, {
      rules: { MissingHealthcheck: 'hint', DL3008: 'error', SecretInLayer: 'off', DL3018: 'off' },
      buildArgs: { NODE_VERSION: '22', WORKERS: '4' },
    });
    assert.deepStrictEqual(problems, []);
  });

  it('a disabled rule wins over its level', () => {
    const { settings } = serverSettings(getter({ rules: { DL3008: 'error' }, disabledRules: ['DL3008'] }));
    assert.strictEqual(settings.rules.DL3008, 'off');
  });

  it('leaves out values of the wrong type and says which', () => {
    const { settings, problems } = serverSettings(
      getter({ rules: { A: 'loud', B: 'warning' }, disabledRules: 'A', buildArgs: { X: { y: 1 } } }),
    );
    assert.deepStrictEqual(settings, { rules: { B: 'warning' }, buildArgs: {} });
    assert.strictEqual(problems.length, 3);
    assert.match(problems[0], /dockerfile-lsp\.rules\.A: expected one of off, error/);
    assert.match(problems[1], /disabledRules: expected a list/);
    assert.match(problems[2], /buildArgs\.X: expected a string/);
  });

  it('sends the limits when set, and refuses what is not a positive whole number', () => {
    const { settings, problems } = serverSettings(getter({ maxFileSize: 1048576, requestTimeout: -1 }));
    assert.strictEqual(settings.maxFileSize, 1048576);
    assert.strictEqual(settings.requestTimeout, undefined);
    assert.deepStrictEqual(problems, ['dockerfile-lsp.requestTimeout: expected a positive whole number']);
  });

  it('defaults to nothing', () => {
    assert.deepStrictEqual(serverSettings(getter({})).settings, { rules: {}, buildArgs: {} });
  });
});

describe('sameSettings', () => {
  it('compares values, not the order of keys', () => {
    assert.ok(sameSettings({ rules: { A: 'off', B: 'error' }, buildArgs: {} }, { buildArgs: {}, rules: { B: 'error', A: 'off' } }));
    assert.ok(!sameSettings({ rules: { A: 'off' }, buildArgs: {} }, { rules: { A: 'error' }, buildArgs: {} }));
    assert.ok(!sameSettings({ rules: {}, buildArgs: {}, maxFileSize: 10 }, { rules: {}, buildArgs: {} }));
  });
});
