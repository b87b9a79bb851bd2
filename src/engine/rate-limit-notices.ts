/** Waits shorter than this are routine pacing, not worth telling the platform about. */
export const RATE_LIMIT_NOTICE_MS = 3000;

export interface RateLimitedNotice {
  type: 'rate_limited';
  waitMs: number;
  untilMs: number;
}

/**
 * Yields what `source` yields, and a notice as soon as a limiter (any endpoint's) holds a request for
 * RATE_LIMIT_NOTICE_MS or more: while `source` itself waits on that request, so a platform that watches for
 * heartbeats hears why nothing else comes. (The `updated` scan has its own channel for this; this serves
 * the detectors that read one request at a time.)
 */
export async function* withRateLimitNotices<T>(limiter: { onWait(listener: (waitMs: number, untilMs: number) => void): () => void }, source: AsyncGenerator<T>): AsyncGenerator<T | RateLimitedNotice> {
  const notices: RateLimitedNotice[] = [];
  let wake: (() => void) | undefined;
  const stop = limiter.onWait((waitMs, untilMs) => {
    if (waitMs < RATE_LIMIT_NOTICE_MS) return;
    notices.push({ type: 'rate_limited', waitMs, untilMs });
    wake?.();
  });
  let finished = false;
  let inFlight = false;
  let pending: Promise<{ result: IteratorResult<T> }> | undefined;
  try {
    for (;;) {
      // Notices raised while this generator was paused at a yield are delivered before waiting again.
      yield* notices.splice(0);
      if (!inFlight) {
        inFlight = true;
        pending = source.next().then((result) => ({ result }));
      }
      const notice = new Promise<'notice'>((resolve) => (wake = () => resolve('notice')));
      const next = await Promise.race([pending as Promise<{ result: IteratorResult<T> }>, notice]);
      if (next === 'notice') continue;
      inFlight = false;
      if (next.result.done === true) {
        finished = true;
        return;
      }
      yield next.result.value;
    }
  } finally {
    stop();
    if (!finished) {
      if (inFlight) {
        // Not awaited: `source` may be sleeping out a long Retry-After, and what that request ends with no
        // longer matters.
        pending?.catch(() => undefined);
        void source.return(undefined).catch(() => undefined);
      } else {
        await source.return(undefined);
      }
    }
  }
}
