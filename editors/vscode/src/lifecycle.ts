// The server's life: start, stop and restart run one at a time, in the order
// they were asked for, whatever state the server is in (never started,
// starting, running, stopping, crashed). Nothing here throws: a start that
// fails or a server that dies is reported once through `onFailure`, and a
// start that never ends is given up after `startTimeoutMs` (aborted through
// the signal passed to `launch`), so what is queued behind it still runs.
// Pure (the launcher is passed in), so it is tested without VS Code.

/** A running server. */
export interface Session {
  /** Stops it on purpose: resolves once it has exited. */
  stop(): Promise<void>;
}

export type State = 'stopped' | 'starting' | 'running' | 'stopping' | 'crashed';

export interface Hooks {
  /**
   * Starts a server. Resolves to undefined when there is nothing to start
   * (e.g. no binary found, already reported); rejects when it failed.
   * `onExit` is for the session to call when the server dies on its own.
   * `signal` is aborted when the start took too long and was given up: kill
   * what was started (a session that still comes is stopped).
   */
  launch(onExit: (reason: string) => void, signal: AbortSignal): Promise<Session | undefined>;
  /** A start failed or the running server died: tell the user, offer a restart. */
  onFailure(message: string): void;
  /** Anything else worth a line in the log. */
  log(message: string): void;
  /** How long a whole start may take (default 60 s; the launcher's own timeouts should come first). */
  startTimeoutMs?: number;
}

/** `promise`, or a rejection with `timedOut()` if it has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class StartTimeout extends Error {}

export class Lifecycle {
  private queue: Promise<void> = Promise.resolve();
  private session: Session | undefined;
  private current: State = 'stopped';

  constructor(private readonly hooks: Hooks) {}

  get state(): State {
    return this.current;
  }

  /** Starts the server unless it is running (or about to be). */
  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  /** Stops the server if it is running. */
  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  /** Stops the server if it is running, then starts it. */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const next = this.queue.then(operation).catch((error: unknown) => {
      this.hooks.log(`Unexpected error: ${describe(error)}`);
    });
    this.queue = next;
    return next;
  }

  private async doStart(): Promise<void> {
    if (this.session) {
      return;
    }
    this.current = 'starting';
    let died: string | undefined;
    let session: Session | undefined;
    const onExit = (reason: string) => {
      if (session === undefined) {
        // Died while starting: launch() rejects too; report that once.
        died = reason;
        return;
      }
      if (this.session !== session) {
        return; // an older session, already stopped
      }
      this.session = undefined;
      this.current = 'crashed';
      this.hooks.onFailure(`The Dockerfile LSP server stopped unexpectedly: ${reason}.`);
    };
    const controller = new AbortController();
    const ms = this.hooks.startTimeoutMs ?? 60000;
    const launched = this.hooks.launch(onExit, controller.signal);
    try {
      session = await withTimeout(launched, ms, () => new StartTimeout(`did not start within ${ms / 1000} s`));
    } catch (error) {
      if (error instanceof StartTimeout) {
        controller.abort();
        // A session that comes after all is not wanted any more.
        launched.then(
          (late) => late?.stop(),
          () => undefined,
        ).catch(() => undefined);
      }
      this.current = 'crashed';
      this.hooks.onFailure(`The Dockerfile LSP server failed to start: ${died ?? describe(error)}.`);
      return;
    }
    if (session === undefined) {
      this.current = 'stopped';
      return;
    }
    if (died !== undefined) {
      this.current = 'crashed';
      this.hooks.onFailure(`The Dockerfile LSP server stopped unexpectedly: ${died}.`);
      return;
    }
    this.session = session;
    this.current = 'running';
  }

  private async doStop(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) {
      if (this.current !== 'crashed') {
        this.current = 'stopped';
      }
      return;
    }
    this.current = 'stopping';
    try {
      await session.stop();
    } catch (error) {
      this.hooks.log(`Stopping the server: ${describe(error)}`);
    }
    this.current = 'stopped';
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
