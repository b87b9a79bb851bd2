import type { Writable } from 'node:stream';
import { containsSecret, redact } from '../common/redact.js';

/**
 * Writes one JSON document per line. Lines are batched (one write per ~64 KB instead of one per record) and
 * the writer waits when the reader is slow, so memory stays flat however fast Klaviyo answers. Every line
 * passes through redact(): the last gate before the outside world.
 */
export class LineWriter {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  /** Set when the reader went away (EPIPE): further writes are dropped instead of crashing. */
  closed = false;

  constructor(private readonly out: Writable = process.stdout, private readonly batchBytes = 64 * 1024) {
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw error;
    });
  }

  /** Queues a message; resolves once it is safe to queue more. */
  async write(message: unknown): Promise<void> {
    this.enqueue(message);
    await this.flushIfFull();
  }

  /** Queues a message without waiting, for synchronous callers such as loggers; the next flush sends it. */
  enqueue(message: unknown): void {
    this.enqueueLine(JSON.stringify(message));
  }

  /** Queues an already serialized message (one line, no newline). */
  enqueueLine(line: string): void {
    this.buffer.push(line);
    this.bufferedBytes += line.length + 1;
  }

  async flushIfFull(): Promise<void> {
    if (this.bufferedBytes >= this.batchBytes) await this.flush();
  }

  /** Hands everything queued to the output and waits if the reader has not kept up. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    // One byte search per 64 KB chunk instead of a string scan per line; lines are whole, so a secret cannot
    // straddle two chunks. The bytes are what the write needs anyway.
    const text = `${this.buffer.join('\n')}\n`;
    let chunk = Buffer.from(text, 'utf8');
    if (containsSecret(chunk)) chunk = Buffer.from(redact(text), 'utf8');
    this.buffer = [];
    this.bufferedBytes = 0;
    if (this.closed) return;
    if (!this.out.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          this.out.off('error', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
        this.out.on('error', done);
      });
    }
  }

  /** Flushes and waits until the bytes have left the process (before process.exit). */
  async end(): Promise<void> {
    await this.flush();
    if (this.closed) return;
    await new Promise<void>((resolve) => this.out.write('', () => resolve()));
  }
}
