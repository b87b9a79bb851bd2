import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { KlaviyoClient } from '../../src/klaviyo/client.js';

// A server on loopback that takes requests and never answers.
let server: Server;
let baseUrl: string;
beforeAll(async () => {
  server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('KlaviyoClient request timeout', () => {
  it('ends a request still waiting for a free socket after request_timeout_seconds, not after the one ahead of it', async () => {
    const client = new KlaviyoClient({
      baseUrl,
      apiKey: 'pk_timeout_test_00000000000000000000000000',
      revision: '2026-07-15',
      concurrency: 1, // one socket: the second request waits in the agent's queue
      requestsPerSecond: 100,
      requestsPerMinute: 6000,
      maxRetrySeconds: 0,
      requestTimeoutSeconds: 1,
      logger: silentLogger,
    });
    const started = Date.now();
    const settle = (promise: Promise<unknown>) => promise.then(() => 'answered', (error: Error) => ({ message: error.message, afterMs: Date.now() - started }));
    const [first, second] = await Promise.all([settle(client.getJson(`${baseUrl}/api/profiles`, 'Get Profiles')), settle(client.getJson(`${baseUrl}/api/profiles?page=2`, 'Get Profiles'))]);
    expect(first).toMatchObject({ message: expect.stringContaining('timed out after 1 s') });
    expect(second).toMatchObject({ message: expect.stringContaining('timed out after 1 s') });
    // both within their own second (plus slack for a busy machine); waiting out the first would take two
    expect((second as { afterMs: number }).afterMs).toBeLessThan(1800);
  });
});
