export interface RateLimit {
  perSecond?: number;
  perMinute?: number;
}

export type RateDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; retryAfterSeconds: number };

const SECOND = 1_000;
const MINUTE = 60_000;

/**
 * Klaviyo's burst (1 s) and steady (60 s) limits as sliding windows over one endpoint's accepted requests.
 * Rejected requests are not recorded, so a client that keeps retrying is not locked out for longer. The limit
 * is given with each request, since Klaviyo's depends on the request's revision.
 */
export class SlidingWindowLimiter {
  private accepted: number[] = [];
  private head = 0;

  static validate(limit: RateLimit | undefined, name = 'rateLimit'): void {
    for (const [key, value] of Object.entries(limit ?? {})) {
      if (key !== 'perSecond' && key !== 'perMinute') throw new RangeError(`${name}.${key}: unknown; use perSecond and perMinute`);
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
        throw new RangeError(`${name}.${key} must be a positive integer, got ${String(value)}`);
      }
    }
  }

  tryAcquire(now: number, limit: RateLimit | undefined): RateDecision {
    const { perSecond, perMinute } = limit ?? {};
    if (perSecond === undefined && perMinute === undefined) return { allowed: true, headers: {} };
    this.forgetBefore(now - MINUTE);

    let waitMs = 0;
    if (perSecond !== undefined) {
      const inSecond = this.countSince(now - SECOND);
      if (inSecond >= perSecond) waitMs = Math.max(waitMs, this.at(this.accepted.length - perSecond) + SECOND - now);
    }
    if (perMinute !== undefined) {
      const inMinute = this.accepted.length - this.head;
      if (inMinute >= perMinute) waitMs = Math.max(waitMs, this.at(this.accepted.length - perMinute) + MINUTE - now);
    }
    if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };

    this.accepted.push(now);
    return { allowed: true, headers: this.headers(now, limit) };
  }

  /** RateLimit-* headers describe the steady window when there is one, as Klaviyo's do. */
  private headers(now: number, limit: RateLimit | undefined): Record<string, string> {
    const { perSecond, perMinute } = limit ?? {};
    const [count, windowMs] = perMinute !== undefined ? [perMinute, MINUTE] : [perSecond ?? 0, SECOND];
    const used = this.countSince(now - windowMs);
    const oldest = this.at(this.accepted.length - used);
    return {
      'RateLimit-Limit': String(count),
      'RateLimit-Remaining': String(Math.max(0, count - used)),
      'RateLimit-Reset': String(Math.max(1, Math.ceil((oldest + windowMs - now) / 1000))),
    };
  }

  /** Accepted requests after `since` (exclusive). */
  private countSince(since: number): number {
    let low = this.head;
    let high = this.accepted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle) > since) high = middle;
      else low = middle + 1;
    }
    return this.accepted.length - low;
  }

  private forgetBefore(cutoff: number): void {
    while (this.head < this.accepted.length && this.at(this.head) <= cutoff) this.head++;
    // Compact now and then so the array does not grow for ever.
    if (this.head > 1024 && this.head * 2 > this.accepted.length) {
      this.accepted = this.accepted.slice(this.head);
      this.head = 0;
    }
  }

  private at(position: number): number {
    return this.accepted[position] ?? 0;
  }
}
