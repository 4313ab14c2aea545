import * as assert from 'assert';
import { Lifecycle, Session, withTimeout } from '../src/lifecycle';

/** A fake launcher: each server takes `startMs` to start and `stopMs` to stop, and can be killed. */
function harness(options: { startMs?: number; stopMs?: number; failStart?: string } = {}) {
  const events: string[] = [];
  const failures: string[] = [];
  const exits: ((reason: string) => void)[] = [];
  let running = 0;
  let launched = 0;
  const life = new Lifecycle({
    launch: async (onExit) => {
      const n = ++launched;
      events.push(`start ${n}`);
      await new Promise((resolve) => setTimeout(resolve, options.startMs ?? 5));
      if (options.failStart) {
        throw new Error(options.failStart);
      }
      running++;
      assert.ok(running <= 1, 'two servers at once');
      exits.push((reason) => {
        running--;
        onExit(reason);
      });
      const session: Session = {
        stop: async () => {
          events.push(`stop ${n}`);
          await new Promise((resolve) => setTimeout(resolve, options.stopMs ?? 5));
          running--;
        },
      };
      events.push(`started ${n}`);
      return session;
    },
    onFailure: (message) => failures.push(message),
    log: (message) => failures.push(`log: ${message}`),
  });
  return { life, events, failures, exits, running: () => running };
}

describe('Lifecycle', () => {
  it('restart before anything started just starts', async () => {
    const h = harness();
    await h.life.restart();
    assert.deepStrictEqual(h.events, ['start 1', 'started 1']);
    assert.strictEqual(h.life.state, 'running');
  });

  it('restart while starting waits for the start, then stops and starts', async () => {
    const h = harness({ startMs: 30 });
    const starting = h.life.start();
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.strictEqual(h.life.state, 'starting');
    const restarting = h.life.restart();
    await Promise.all([starting, restarting]);
    assert.deepStrictEqual(h.events, ['start 1', 'started 1', 'stop 1', 'start 2', 'started 2']);
    assert.strictEqual(h.running(), 1);
    assert.deepStrictEqual(h.failures, []);
  });

  it('many restarts in a row run one after the other', async () => {
    const h = harness();
    await Promise.all([h.life.start(), h.life.restart(), h.life.restart(), h.life.stop(), h.life.restart()]);
    assert.strictEqual(h.running(), 1);
    assert.strictEqual(h.events.filter((e) => e.startsWith('started')).length, 4);
    assert.deepStrictEqual(h.failures, []);
  });

  it('a server that dies is reported once, and restart brings it back', async () => {
    const h = harness();
    await h.life.start();
    h.exits[0]('killed by SIGKILL');
    assert.strictEqual(h.life.state, 'crashed');
    assert.deepStrictEqual(h.failures, ['The Dockerfile LSP server stopped unexpectedly: killed by SIGKILL.']);
    await h.life.restart();
    assert.strictEqual(h.life.state, 'running');
    assert.deepStrictEqual(h.events, ['start 1', 'started 1', 'start 2', 'started 2']);
  });

  it('a start that fails is reported with its reason, and start again tries again', async () => {
    const h = harness({ failStart: 'exit code 101' });
    await h.life.start();
    assert.strictEqual(h.life.state, 'crashed');
    assert.deepStrictEqual(h.failures, ['The Dockerfile LSP server failed to start: exit code 101.']);
    await h.life.restart();
    assert.strictEqual(h.events.length, 2);
  });

  it('stop when stopped does nothing', async () => {
    const h = harness();
    await h.life.stop();
    await h.life.stop();
    assert.deepStrictEqual(h.events, []);
    assert.strictEqual(h.life.state, 'stopped');
  });

  it('a start that never finishes is given up: aborted, reported, and what was queued behind it runs', async () => {
    const failures: string[] = [];
    const signals: AbortSignal[] = [];
    let launches = 0;
    let stopped = 0;
    const life = new Lifecycle({
      launch: (_onExit, signal) => {
        signals.push(signal);
        if (++launches === 1) {
          return new Promise<Session | undefined>(() => undefined); // never answers
        }
        return Promise.resolve({ stop: async () => void stopped++ });
      },
      onFailure: (message) => failures.push(message),
      log: (message) => failures.push(`log: ${message}`),
      startTimeoutMs: 50,
    });
    const first = life.start();
    const restart = life.restart(); // queued behind the start that hangs
    await first;
    assert.deepStrictEqual(failures, ['The Dockerfile LSP server failed to start: did not start within 0.05 s.']);
    assert.ok(signals[0].aborted, 'the hung launch was not aborted');
    await restart;
    assert.strictEqual(life.state, 'running');
    assert.strictEqual(signals[1].aborted, false);
    await life.stop();
    assert.strictEqual(stopped, 1);
    assert.strictEqual(life.state, 'stopped');
  });

  it('a session that comes after its start was given up is stopped', async () => {
    let stopped = 0;
    let resolveLate: (session: Session) => void = () => undefined;
    const life = new Lifecycle({
      launch: () => new Promise<Session | undefined>((resolve) => (resolveLate = resolve)),
      onFailure: () => undefined,
      log: () => undefined,
      startTimeoutMs: 20,
    });
    await life.start();
    assert.strictEqual(life.state, 'crashed');
    resolveLate({ stop: async () => void stopped++ });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.strictEqual(stopped, 1);
    assert.strictEqual(life.state, 'crashed');
  });

  it('a launch that rejects with its own timeout reports that reason', async () => {
    const failures: string[] = [];
    const life = new Lifecycle({
      launch: () =>
        withTimeout(new Promise<Session | undefined>(() => undefined), 20, () => new Error('did not answer initialize within 20 s')),
      onFailure: (message) => failures.push(message),
      log: () => undefined,
    });
    await life.start();
    assert.deepStrictEqual(failures, ['The Dockerfile LSP server failed to start: did not answer initialize within 20 s.']);
  });
});

describe('withTimeout', () => {
  it('passes on what settles in time, and rejects with the given error otherwise', async () => {
    assert.strictEqual(await withTimeout(Promise.resolve(1), 50, () => new Error('late')), 1);
    await assert.rejects(withTimeout(Promise.reject(new Error('own')), 50, () => new Error('late')), /own/);
    await assert.rejects(withTimeout(new Promise(() => undefined), 10, () => new Error('late')), /late/);
  });
});
