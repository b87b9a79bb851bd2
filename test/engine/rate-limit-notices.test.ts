import { describe, expect, it } from 'vitest';
import { withRateLimitNotices } from '../../src/engine/rate-limit-notices.js';

/** A limiter stand-in whose waits the test announces itself. */
function announcingLimiter() {
  let listener: ((waitMs: number, untilMs: number) => void) | undefined;
  return {
    limiter: {
      onWait(l: (waitMs: number, untilMs: number) => void) {
        listener = l;
        return () => (listener = undefined);
      },
    },
    announce: (waitMs: number, untilMs: number) => listener?.(waitMs, untilMs),
  };
}

describe('withRateLimitNotices', () => {
  it('delivers a notice raised while paused at a yield, even as the source then waits on the limit', async () => {
    const { limiter, announce } = announcingLimiter();
    let release: () => void = () => undefined;
    async function* detector() {
      yield 'first page';
      await new Promise<void>((resolve) => (release = resolve)); // a request held by a long Retry-After
      yield 'second page';
    }
    const outputs = withRateLimitNotices(limiter, detector());
    expect((await outputs.next()).value).toBe('first page');
    announce(1000, 1); // routine pacing: not worth a notice
    announce(30_000, 2);
    // a notice left queued would wait here for the source's next step: for as long as the Retry-After
    expect((await outputs.next()).value).toEqual({ type: 'rate_limited', waitMs: 30_000, untilMs: 2 });
    const third = outputs.next();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await third).value).toBe('second page');
    expect((await outputs.next()).done).toBe(true);
  }, 5000);

  it('lets an abandoned source clean up when it is not waiting on a request', async () => {
    const { limiter } = announcingLimiter();
    let cleanedUp = false;
    async function* detector() {
      try {
        yield 1;
        yield 2;
      } finally {
        cleanedUp = true;
      }
    }
    for await (const output of withRateLimitNotices(limiter, detector())) {
      if (output === 1) break;
    }
    expect(cleanedUp).toBe(true);
  });
});
