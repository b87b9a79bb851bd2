import type { Writable } from 'node:stream';
import { containsSecret, redact } from '../common/redact.js';

/** Bytes a chunk collects before it is written: one write per ~64 KB instead of one per record. */
const CHUNK_BYTES = 64 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair, 2 units, takes 4). */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Writes one JSON document per line. Lines are encoded straight into a chunk of bytes as they come, and the
 * chunk is written when it holds ~64 KB: joining the lines into one string and encoding that cost ten times
 * more per record, as much as the record's own serialization. The writer waits when the reader is slow,
 * so memory stays flat however fast Klaviyo answers. Every chunk passes the secret check (redact) on its
 * way out: the last gate before the outside world.
 */
export class LineWriter {
  private chunk = Buffer.allocUnsafe(0);
  private used = 0;
  /** Set when the reader went away (EPIPE): further writes are dropped instead of crashing. */
  closed = false;

  constructor(
    private readonly out: Writable = process.stdout,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
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
    const room = line.length * MAX_BYTES_PER_UNIT + 1;
    if (this.used + room > this.chunk.length) this.startChunk(room);
    this.used += this.chunk.write(line, this.used, 'utf8');
    this.chunk[this.used++] = 0x0a;
  }

  /**
   * A fresh chunk for the next lines, keeping the bytes queued so far for the next flush. Never reused once
   * handed to the output: an asynchronous stream may still hold it.
   */
  private startChunk(room: number): void {
    // Doubling, so a batch far larger than a chunk costs a few copies, not one per line.
    const next = Buffer.allocUnsafe(Math.max(this.chunkBytes * 4, 2 * (room + this.used)));
    this.chunk.copy(next, 0, 0, this.used);
    this.chunk = next;
  }

  async flushIfFull(): Promise<void> {
    if (this.used >= this.chunkBytes) await this.flush();
  }

  /** Hands everything queued to the output and waits if the reader has not kept up. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    // One byte search per chunk instead of a string scan per line; lines are whole, so a secret cannot
    // straddle two chunks.
    let bytes = this.chunk.subarray(0, this.used);
    if (containsSecret(bytes)) bytes = Buffer.from(redact(bytes.toString('utf8')), 'utf8');
    this.chunk = Buffer.allocUnsafe(0);
    this.used = 0;
    if (this.closed) return;
    if (!this.out.write(bytes)) {
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
