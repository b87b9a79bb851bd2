import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/klaviyo/rate-limiter.js';

/** A limiter on a fake clock whose sleeps advance that clock: exact, instant, immune to a busy machine. */
function fakeClock(perSecond: number, perMinute: number) {
  let now = 1_000_000;
  const waits: number[] = [];
  const limiter = new RateLimiter({ perSecond, perMinute }, () => now, async (ms) => {
    now += ms;
  });
  limiter.onWait((ms) => waits.push(ms));
  const start = now;
  return { limiter, waits, elapsed: () => now - start, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('allows a burst up to the per-second limit, then waits out the window (plus its 3% margin)', async () => {
    const c = fakeClock(3, 1000);
    for (let i = 0; i < 3; i += 1) await c.limiter.acquire();
    expect(c.waits).toEqual([]);
    await c.limiter.acquire();
    expect(c.waits).toEqual([1030]);
    expect(c.limiter.burstPerSecond).toBeCloseTo(3 / 1.03, 6);
  });

  it('counts a request from when it was sent, not from its grant, so a slow send cannot open the next window early', async () => {
    const c = fakeClock(3, 1000);
    const first = await c.limiter.acquire();
    c.advance(50); // a new connection's handshake, say
    first.sent();
    first.sent(); // a second call changes nothing
    await c.limiter.acquire();
    (await c.limiter.acquire()).sent(); // sent at once: stays where it was granted
    await c.limiter.acquire();
    // the window runs from the first request's send (50 ms), not its grant (0 ms)
    expect(c.waits).toEqual([1030]);
    expect(c.elapsed()).toBe(50 + 1030);
  });

  it('sustains the per-second rate over many requests', async () => {
    const c = fakeClock(75, 100_000);
    for (let i = 0; i < 750; i += 1) await c.limiter.acquire();
    // 750 requests at 75 per (1.03 s): the last batch starts after 9 windows
    expect(c.elapsed()).toBeGreaterThanOrEqual(9 * 1030);
    expect(c.elapsed()).toBeLessThan(10 * 1030);
  });

  it('counts the callers still waiting for a slot', async () => {
    const c = fakeClock(1, 1000);
    const first = c.limiter.acquire();
    const second = c.limiter.acquire();
    expect(c.limiter.waiting).toBe(2);
    await first;
    await second;
    expect(c.limiter.waiting).toBe(0);
  });

  it('keeps a fractional rate: 0.5/s is one request per two seconds', async () => {
    const c = fakeClock(0.5, 1000);
    for (let i = 0; i < 3; i += 1) await c.limiter.acquire();
    expect(c.elapsed()).toBeGreaterThanOrEqual(4000);
  });

  it('honours the per-minute limit with its 2% margin', async () => {
    const c = fakeClock(100, 5);
    for (let i = 0; i < 6; i += 1) await c.limiter.acquire();
    // One wait of 61.2 s, told every 10 s with what is left of it, and slept exactly.
    expect(c.waits).toEqual([61_200, 51_200, 41_200, 31_200, 21_200, 11_200, 1_200]);
    expect(c.elapsed()).toBe(61_200);
    expect(c.limiter.waitedMs).toBe(61_200);
  });

  it('pauses every caller after a 429 or an exhausted RateLimit-Remaining, and not otherwise', async () => {
    const c = fakeClock(100, 1000);
    c.limiter.observe({ 'ratelimit-remaining': '0', 'ratelimit-reset': '7' });
    await Promise.all([c.limiter.acquire(), c.limiter.acquire()]);
    expect(c.waits).toEqual([7000]);
    c.limiter.observe({ 'ratelimit-remaining': '5', 'ratelimit-reset': '30' });
    c.limiter.pauseUntil(0);
    await c.limiter.acquire();
    expect(c.waits).toEqual([7000]);
  });
});

describe('RateLimiter.secondsFor', () => {
  it('estimates with both windows: the burst while the minute has room, the steady rate after', async () => {
    const c = fakeClock(75, 750);
    const burst = 75 / 1.03;
    const steady = 750 / 61.2;
    expect(c.limiter.secondsFor(500)).toBeCloseTo(500 / burst, 6);
    expect(c.limiter.secondsFor(2000)).toBeCloseTo((2000 - 750) / steady, 6);
    for (let i = 0; i < 750; i += 1) await c.limiter.acquire();
    // The minute is used up: from here on, the steady rate alone.
    expect(c.limiter.secondsFor(100)).toBeCloseTo(100 / steady, 6);
    c.limiter.pauseUntil(c.elapsed() + 1_000_000 + 30_000);
    expect(c.limiter.secondsFor(100)).toBeCloseTo(30 + 100 / steady, 0);
  });
});

describe('RateLimiter.widenMargin', () => {
  it('paces with 2 more points of margin after each 429, up to 15%', async () => {
    const c = fakeClock(3, 1000);
    c.limiter.widenMargin();
    for (let i = 0; i < 4; i += 1) await c.limiter.acquire();
    expect(c.waits).toEqual([1050]);
    for (let i = 0; i < 10; i += 1) c.limiter.widenMargin();
    expect(c.limiter.burstPerSecond).toBeCloseTo(3 / 1.15, 6);
  });
});

describe('RateLimiter: leaving and recovering', () => {
  it('lets an aborted caller leave the queue without taking a slot', async () => {
    const c = fakeClock(1, 1000);
    await c.limiter.acquire();
    const abort = new AbortController();
    abort.abort(new Error('stopped'));
    await expect(c.limiter.acquire(abort.signal)).rejects.toThrow('stopped');
    // The slot the aborted caller did not take is the next caller's, after the one window.
    await c.limiter.acquire();
    expect(c.waits).toEqual([1030]);
    expect(c.limiter.waiting).toBe(0);
  });

  it('returns a widened margin to 3% after five quiet minutes', async () => {
    const c = fakeClock(3, 1000);
    c.limiter.widenMargin();
    expect(c.limiter.burstPerSecond).toBeCloseTo(3 / 1.05, 6);
    c.advance(300_000);
    await c.limiter.acquire();
    expect(c.limiter.burstPerSecond).toBeCloseTo(3 / 1.03, 6);
  });
});
