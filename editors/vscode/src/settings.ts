// The extension's settings, as the server reads them: `rules` (a level per
// rule code, with `disabledRules` turned into "off"), `buildArgs`, and the
// limits `maxFileSize` and `requestTimeout`.
// Pure, so it is tested without VS Code.

export type Level = 'off' | 'error' | 'warning' | 'information' | 'hint';

export interface ServerSettings {
  rules: Record<string, Level>;
  buildArgs: Record<string, string>;
  /** Bytes above which a Dockerfile is not analysed (server default when absent). */
  maxFileSize?: number;
  /** Milliseconds a request may work before it is answered with an error. */
  requestTimeout?: number;
}

/** Reads one setting of the `dockerfile-lsp` section. */
export type Getter = <T>(key: string, fallback: T) => T;

const LEVELS: readonly string[] = ['off', 'error', 'warning', 'information', 'hint'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The settings sent as `initializationOptions` and with
 * `workspace/didChangeConfiguration`. Values of the wrong type are left out
 * (the server would reject them) and reported in `problems`.
 */
export function serverSettings(get: Getter): { settings: ServerSettings; problems: string[] } {
  const problems: string[] = [];
  const rules: Record<string, Level> = {};
  const configured = get<unknown>('rules', {});
  if (isRecord(configured)) {
    for (const [code, level] of Object.entries(configured)) {
      if (typeof level === 'string' && LEVELS.includes(level)) {
        rules[code] = level as Level;
      } else {
        problems.push(`dockerfile-lsp.rules.${code}: expected one of ${LEVELS.join(', ')}`);
      }
    }
  } else {
    problems.push('dockerfile-lsp.rules: expected an object');
  }
  const disabled = get<unknown>('disabledRules', []);
  if (Array.isArray(disabled)) {
    for (const code of disabled) {
      if (typeof code === 'string' && code.trim() !== '') {
        rules[code.trim()] = 'off';
      }
    }
  } else {
    problems.push('dockerfile-lsp.disabledRules: expected a list of rule codes');
  }
  const buildArgs: Record<string, string> = {};
  const args = get<unknown>('buildArgs', {});
  if (isRecord(args)) {
    for (const [name, value] of Object.entries(args)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        buildArgs[name] = String(value);
      } else {
        problems.push(`dockerfile-lsp.buildArgs.${name}: expected a string`);
      }
    }
  } else {
    problems.push('dockerfile-lsp.buildArgs: expected an object');
  }
  const settings: ServerSettings = { rules, buildArgs };
  for (const key of ['maxFileSize', 'requestTimeout'] as const) {
    const value = get<unknown>(key, null);
    if (value === null || value === undefined) {
      continue;
    }
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
      settings[key] = value;
    } else {
      problems.push(`dockerfile-lsp.${key}: expected a positive whole number`);
    }
  }
  return { settings, problems };
}

/** Whether two settings say the same (whatever the order of their keys). */
export function sameSettings(a: ServerSettings, b: ServerSettings): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
