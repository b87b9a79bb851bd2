import type { IncomingMessage } from 'node:http';

/** Bulk jobs take at most 1000 profiles; a few MB is far beyond any valid request. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Reads a request body as UTF-8, calling back once with the text, or with undefined when it was
 * longer than MAX_BODY_BYTES (the rest is drained, so the connection stays usable).
 */
export function readBody(request: IncomingMessage, done: (body: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  request.on('end', () => done(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined));
  // An aborted upload gets no reply: its socket is gone.
  request.on('error', () => undefined);
}
