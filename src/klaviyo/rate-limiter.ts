// One limiter per process, shared by every request: Klaviyo counts requests per account, so two workers
// each keeping "their" limit would together exceed it. Sliding windows match how Klaviyo (and the simulator)
// count: at most `perSecond` requests in any 1 s and `perMinute` in any 60 s.

export interface RateLimits {
  perSecond: number;
  perMinute: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  private readonly secondLimit: number;
  private readonly minuteLimit: number;
  /** Start times of granted requests in the last minute, oldest first. */
  private readonly granted: number[] = [];
  private head = 0;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Total ms callers spent waiting, for progress reports. */
  waitedMs = 0;

  constructor(limits: RateLimits, private readonly now: () => number = Date.now) {
    this.secondLimit = Math.max(1, Math.floor(limits.perSecond));
    this.minuteLimit = Math.max(1, Math.floor(limits.perMinute));
  }

  /** Waits for a slot. Calls are served in order, so no worker starves. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every caller until `untilMs` (after a 429 with Retry-After), not just the one that was refused. */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const wait = this.delayNeeded(this.now());
      if (wait <= 0) break;
      this.waitedMs += wait;
      await sleep(wait);
    }
    this.granted.push(this.now());
  }

  private delayNeeded(now: number): number {
    while (this.head < this.granted.length && (this.granted[this.head] ?? 0) <= now - 60_000) this.head += 1;
    if (this.head > 4096) {
      this.granted.splice(0, this.head);
      this.head = 0;
    }
    let wait = this.pausedUntil - now;
    const inWindow = this.granted.length - this.head;
    if (inWindow >= this.minuteLimit) {
      const oldest = this.granted[this.granted.length - this.minuteLimit] ?? now;
      wait = Math.max(wait, oldest + 60_000 - now);
    }
    if (inWindow >= this.secondLimit) {
      const oldestInSecond = this.granted[this.granted.length - this.secondLimit] ?? now;
      wait = Math.max(wait, oldestInSecond + 1000 - now);
    }
    return wait;
  }
}
