import { afterEach, describe, expect, it } from 'vitest';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { SlidingWindowLimiter } from '../../src/simulator/rules/rate-limiter.js';
import { errorOf, get, profilesUrl, startSimulator } from './simulator-client.js';

let simulator: KlaviyoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

describe('latency', () => {
  it('delays every GET /api/profiles response by latencyMs, and setLatency changes it', async () => {
    simulator = await startSimulator({ profiles: 5, latencyMs: 250 });
    const slow = await get(profilesUrl(simulator));
    expect(slow.status).toBe(200);
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(240);
    const slowError = await get(profilesUrl(simulator), {});
    expect(slowError.elapsedMs).toBeGreaterThanOrEqual(240);
    simulator.setLatency(0);
    const fast = await get(profilesUrl(simulator));
    expect(fast.elapsedMs).toBeLessThan(200);
  });

  it('closes promptly with a delayed reply pending and keep-alive sockets open', async () => {
    simulator = await startSimulator({ profiles: 5, latencyMs: 5_000 });
    await get(`${simulator.baseUrl}/nowhere`);
    const pending = get(profilesUrl(simulator)).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await simulator.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After over perSecond, and rejected requests do not use up the window', async () => {
    simulator = await startSimulator({ profiles: 5, rateLimits: { profiles: { perSecond: 2 } } });
    const first = await get(profilesUrl(simulator));
    expect(first.status).toBe(200);
    // The headers describe the steady window, Klaviyo's 750/m, which the per-second override keeps.
    expect(first.headers.get('ratelimit-limit')).toBe('750');
    expect(first.headers.get('ratelimit-remaining')).toBe('749');
    expect(first.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
    expect((await get(profilesUrl(simulator))).status).toBe(200);
    const throttled = await get(profilesUrl(simulator));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(errorOf(throttled).code).toBe('throttled');
    expect(errorOf(throttled).detail).toBe('Request was throttled. Expected available in 1 second.');
    expect(simulator.stats.byStatus[429]).toBe(1);

    simulator.setRateLimits({ profiles: null });
    const unlimited = await get(profilesUrl(simulator));
    expect(unlimited.status).toBe(200);
    expect(unlimited.headers.get('ratelimit-limit')).toBeNull();
  });

  it('does not rate-limit unauthenticated requests before authentication', async () => {
    simulator = await startSimulator({ profiles: 5, rateLimits: { profiles: { perSecond: 1 } } });
    expect((await get(profilesUrl(simulator), {})).status).toBe(401);
    expect((await get(profilesUrl(simulator))).status).toBe(200);
  });
});

describe('SlidingWindowLimiter', () => {
  it('slides both windows and computes Retry-After from the oldest request in the window', () => {
    const limit = { perSecond: 3, perMinute: 5 };
    const limiter = new SlidingWindowLimiter();
    const t0 = 1_000_000;
    expect(limiter.tryAcquire(t0, limit).allowed).toBe(true);
    expect(limiter.tryAcquire(t0 + 100, limit).allowed).toBe(true);
    expect(limiter.tryAcquire(t0 + 200, limit).allowed).toBe(true);
    expect(limiter.tryAcquire(t0 + 300, limit)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // A rejected request is not counted: once the first request leaves the 1 s window, one slot frees.
    expect(limiter.tryAcquire(t0 + 1_000, limit).allowed).toBe(true);
    expect(limiter.tryAcquire(t0 + 1_050, limit).allowed).toBe(false);
    expect(limiter.tryAcquire(t0 + 1_100, limit).allowed).toBe(true);
    // Five in the minute now: the steady window decides, until t0 + 60 s.
    const steady = limiter.tryAcquire(t0 + 5_000, limit);
    expect(steady).toEqual({ allowed: false, retryAfterSeconds: 55 });
    expect(limiter.tryAcquire(t0 + 59_999, limit).allowed).toBe(false);
    expect(limiter.tryAcquire(t0 + 60_000, limit).allowed).toBe(true);
  });

  it('reports the steady window in RateLimit headers', () => {
    const limiter = new SlidingWindowLimiter();
    const decision = limiter.tryAcquire(0, { perSecond: 10, perMinute: 100 });
    expect(decision).toEqual({
      allowed: true,
      headers: { 'RateLimit-Limit': '100', 'RateLimit-Remaining': '99', 'RateLimit-Reset': '60' },
    });
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => SlidingWindowLimiter.validate({ perSecond: 0 })).toThrow(RangeError);
    expect(() => SlidingWindowLimiter.validate({ perMinute: 1.5 })).toThrow(RangeError);
  });
});
