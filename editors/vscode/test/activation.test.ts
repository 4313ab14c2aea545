import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DOCKERFILE_GLOB, StartOnce } from '../src/activation';

/** `**\/{a,b}.*` → [`**\/a.*`, `**\/b.*`] (one brace group, as package.json's patterns have). */
function expand(glob: string): string[] {
  const match = /^(.*)\{([^}]*)\}(.*)$/.exec(glob);
  return match ? match[2].split(',').map((part) => `${match[1]}${part}${match[3]}`) : [glob];
}

describe('activation', () => {
  it('looks for the same files as the workspaceContains activation events', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const events: string[] = manifest.activationEvents;
    const fromEvents = events
      .filter((event) => event.startsWith('workspaceContains:'))
      .flatMap((event) => expand(event.slice('workspaceContains:'.length)));
    assert.deepStrictEqual(expand(DOCKERFILE_GLOB).sort(), fromEvents.sort());
    assert.ok(events.includes('onLanguage:dockerfile'));
  });

  it('starts once, however often a Dockerfile is opened, and not after Restart Server started it', () => {
    let starts = 0;
    const once = new StartOnce(() => starts++);
    assert.strictEqual(once.started, false);
    once.want();
    once.want();
    assert.strictEqual(starts, 1);
    const other = new StartOnce(() => starts++);
    other.markStarted();
    other.want();
    assert.strictEqual(starts, 1);
  });
});
