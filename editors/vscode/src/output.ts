// The server's stderr, kept for the reason shown when it dies: its last
// lines, whole even when a line came in several chunks. Pure, so it is
// tested without VS Code.

export class StderrTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly keep = 20) {}

  /** A chunk as it came from the pipe (decoded; a line may be split across chunks). */
  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    this.lines.splice(0, Math.max(0, this.lines.length - this.keep));
    if (this.partial.length > 4096) {
      // A "line" that never ends: keep its end.
      this.partial = this.partial.slice(-4096);
    }
  }

  /** The last line that is not blank, the one not yet ended by a newline included. */
  last(): string | undefined {
    return [...this.lines, this.partial].filter((line) => line.trim() !== '').slice(-1)[0]?.trim();
  }
}

/** "exit code 101 (last words: thread 'main' panicked ...)". */
export function exitReason(code: number | null, signal: NodeJS.Signals | null, stderr: StderrTail): string {
  const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
  const last = stderr.last();
  return last ? `${how} (last words: ${last.slice(0, 300)})` : how;
}
