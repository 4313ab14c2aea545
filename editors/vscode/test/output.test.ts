import * as assert from 'assert';
import { exitReason, StderrTail } from '../src/output';

describe('StderrTail', () => {
  it('joins a line that came in several chunks', () => {
    const tail = new StderrTail();
    tail.push('warming up\nthread \'main\' pan');
    tail.push('icked at src/main.rs:1:1:\n');
    tail.push('\n');
    assert.strictEqual(tail.last(), "thread 'main' panicked at src/main.rs:1:1:");
  });

  it('includes the last line even when no newline ended it', () => {
    const tail = new StderrTail();
    tail.push('one\r\ntw');
    tail.push('o');
    assert.strictEqual(tail.last(), 'two');
    assert.strictEqual(new StderrTail().last(), undefined);
  });

  it('keeps only the last lines', () => {
    const tail = new StderrTail(2);
    for (let i = 0; i < 100; i++) {
      tail.push(`line ${i}\n`);
    }
    assert.strictEqual(tail.last(), 'line 99');
  });
});

describe('exitReason', () => {
  it('names the signal or the exit code, then the last words', () => {
    const tail = new StderrTail();
    assert.strictEqual(exitReason(null, 'SIGKILL', tail), 'killed by SIGKILL');
    tail.push('error: boom');
    assert.strictEqual(exitReason(101, null, tail), 'exit code 101 (last words: error: boom)');
  });
});
