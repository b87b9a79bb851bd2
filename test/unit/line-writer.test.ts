import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { registerSecret } from '../../src/common/redact.js';
import { LineWriter } from '../../src/protocols/line-writer.js';

/** A writable that keeps the chunks it is handed, as a slow reader would, and reads them only at the end. */
function keepingSink() {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('LineWriter', () => {
  it('writes every line whole, in order, whatever its characters and length', async () => {
    const { sink, text } = keepingSink();
    // a small chunk size, so lines straddle chunks and one line is larger than a chunk
    const out = new LineWriter(sink, 64);
    const expected: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      const lines = [`{"a":${round}}`, `{"name":"Zoë Łukasz 😀 日本 ${round}"}`, '{"b":"\\n"}'];
      for (const line of round === 7 ? [...lines, `{"long":"${'x'.repeat(500)}"}`] : lines) {
        out.enqueueLine(line);
        expected.push(`${line}\n`);
      }
      await out.flushIfFull();
    }
    await out.end();
    // the sink reads its chunks only now: a chunk reused after it was handed over would show here
    expect(text()).toBe(expected.join(''));
  });

  it('never writes a registered secret', async () => {
    const key = 'pk_linewriter_test_0000000000000000000000';
    registerSecret(key);
    const { sink, text } = keepingSink();
    const out = new LineWriter(sink);
    out.enqueue({ message: `request failed with Authorization: Klaviyo-API-Key ${key}` });
    await out.end();
    expect(text()).not.toContain(key);
    expect(text()).toContain('Klaviyo-API-Key **********');
  });
});
