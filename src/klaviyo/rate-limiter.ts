// One limiter per endpoint for the process, shared by every request to it: Klaviyo counts requests per account
// and per endpoint, so two workers each keeping "their" limit would together exceed it. Sliding windows are
// at least as strict as Klaviyo's (and the simulator's) count: at most `perSecond` requests in any 1 s and
// `perMinute` in any 60 s.

export interface RateLimits {
  perSecond: number;
  perMinute: number;
}

import { sleep } from '../common/sleep.js';

type WaitListener = (waitMs: number, untilMs: number) => void;


// A request is counted by Klaviyo when it arrives, not when we decide to send it. The limiter counts it from
// when it was written to a connected socket (see Grant.sent), which leaves the jitter of the time on the wire
// and at Klaviyo's door: it can squeeze two requests sent exactly a window apart into one window there. A
// margin absorbs that: 3% of a second (30 ms; at 2%, one run in six against the simulator met a 429, whose
// Retry-After costs a second of every worker's time) and 2% of a minute.
const SECOND_MARGIN = 1.03;
const MAX_SECOND_MARGIN = 1.15;
/** How long without a 429 before a widened margin returns to SECOND_MARGIN. */
const QUIET_MS = 300_000;
/** The longest a wait goes untold: a wait longer than this is told again, with what is left of it. */
const NOTICE_EVERY_MS = 10_000;
const MINUTE_MARGIN = 1.02;

/** A granted slot. */
export interface Grant {
  /**
   * The request has just left: count it from now rather than from the grant. A new connection's handshake,
   * or a busy event loop, can hold a request for tens of ms after its grant, and counting it from the grant
   * would let the next window start early by that much.
   */
  sent(): void;
}

/**
 * A rate as "at most `count` requests in any `windowMs`": 75/s is 75 per second; a fractional 0.5/s is 1 per
 * 2 s, never rounded up to 1/s.
 */
function window(rate: number, periodMs: number, margin: number): { count: number; windowMs: number } {
  const count = Math.max(1, Math.floor(rate));
  return { count, windowMs: (count / rate) * periodMs * margin };
}

export class RateLimiter {
  private second: { count: number; windowMs: number };
  private secondMargin = SECOND_MARGIN;
  private widenedAt = 0;
  private readonly perSecond: number;
  private readonly minute: { count: number; windowMs: number };
  /** When granted requests left (or were granted, until they leave) in the last minute, oldest first (from `head`). */
  private readonly granted: number[] = [];
  private head = 0;
  private pausedUntil = 0;
  private waitingUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<WaitListener>();
  private waitingCallers = 0;
  /** Total ms callers spent waiting, for progress reports. */
  waitedMs = 0;

  constructor(
    limits: RateLimits,
    private readonly now: () => number = Date.now,
    private readonly pause: (ms: number) => Promise<void> = sleep,
  ) {
    this.second = window(limits.perSecond, 1000, SECOND_MARGIN);
    this.perSecond = limits.perSecond;
    this.minute = window(limits.perMinute, 60_000, MINUTE_MARGIN);
  }

  /**
   * Waits for a slot. Calls are served in order, so no worker starves. A caller whose `signal` is aborted
   * leaves the queue without taking a slot (rejecting with the signal's reason), within one step of its wait.
   */
  acquire(signal?: AbortSignal): Promise<Grant> {
    this.waitingCallers += 1;
    const turn = this.queue.then(() => this.waitForSlot(signal)).finally(() => (this.waitingCallers -= 1));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Callers waiting for a slot: when any are, the limit (not the number of requests in flight) sets the pace. */
  get waiting(): number {
    return this.waitingCallers;
  }

  /** The most requests per second this limiter lets through over a second (the burst limit, less its margin). */
  get burstPerSecond(): number {
    return (this.second.count / this.second.windowMs) * 1000;
  }

  /** Moves a grant's time from `grantedAt` to now (never earlier), keeping the times in order. */
  private restamp(grantedAt: number): void {
    const sentAt = this.now();
    if (sentAt <= grantedAt) return;
    const at = this.lastIndexOf(grantedAt);
    // Already forgotten (older than the longest window): nothing left to count.
    if (at < 0) return;
    this.granted.splice(at, 1);
    let i = this.granted.length;
    while (i > this.head && (this.granted[i - 1] ?? 0) > sentAt) i -= 1;
    this.granted.splice(i, 0, sentAt);
  }

  private lastIndexOf(value: number): number {
    for (let i = this.granted.length - 1; i >= this.head; i -= 1) {
      const at = this.granted[i] ?? 0;
      if (at === value) return i;
      if (at < value) return -1;
    }
    return -1;
  }

  /** The most requests per second this limiter lets through over a minute (the steady limit, less its margin). */
  get steadyPerSecond(): number {
    return (this.minute.count / this.minute.windowMs) * 1000;
  }

  /** Until when the caller at the head of the queue waits for a slot; 0 when nobody waits. */
  get waitingUntilMs(): number {
    return this.waitingUntil;
  }

  /**
   * About how long `requests` more requests take under both windows: at the burst rate while the current
   * minute has room, then at the steady rate, after any pause. A sync of a large account runs into the
   * minute's limit after its first burst, so an estimate from the first seconds' speed alone is far too short.
   */
  secondsFor(requests: number): number {
    if (requests <= 0) return 0;
    const now = this.now();
    const inMinute = this.granted.length - this.head - this.countBefore(now - this.minute.windowMs);
    const roomThisMinute = Math.max(0, this.minute.count - inMinute);
    const paused = Math.max(0, this.pausedUntil - now) / 1000;
    return paused + Math.max(requests / this.burstPerSecond, (requests - roomThisMinute) / this.steadyPerSecond);
  }

  /** Grants at or before `at` still held (they leave the minute's window first). */
  private countBefore(at: number): number {
    let count = 0;
    for (let i = this.head; i < this.granted.length && (this.granted[i] ?? 0) <= at; i += 1) count += 1;
    return count;
  }

  /**
   * Klaviyo throttled a request the limiter let through: its clock and Klaviyo's disagree by more than the
   * margin (a loaded machine delays the moment a request is counted as sent, the network bunches arrivals).
   * Each 429 widens the one-second margin by 2 points, up to 15%: a 429 costs every worker a whole second of
   * Retry-After, a wider margin 2% of the pace.
   */
  widenMargin(): void {
    this.secondMargin = Math.min(MAX_SECOND_MARGIN, this.secondMargin + 0.02);
    this.second = window(this.perSecond, 1000, this.secondMargin);
    this.widenedAt = this.now();
  }

  /** A margin widened by a passing disturbance (a busy machine, another app's burst) comes back after a quiet spell. */
  private narrowWhenQuiet(now: number): void {
    if (this.secondMargin > SECOND_MARGIN && now - this.widenedAt >= QUIET_MS) {
      this.secondMargin = SECOND_MARGIN;
      this.second = window(this.perSecond, 1000, this.secondMargin);
    }
  }

  /** Until when every caller is held by a 429 or an exhausted quota (0 when not paused). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Holds every caller until `untilMs` (a 429's Retry-After, an exhausted quota), not just the one that was told. */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  /** Tells `listener` about every wait, with its length; returns a function that stops telling. */
  onWait(listener: WaitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reads Klaviyo's RateLimit-Remaining / RateLimit-Reset (seconds): when another client of the same account
   * has used the quota, no local count can know, but the headers do.
   */
  observe(headers: Record<string, unknown>): void {
    const remaining = Number(headers['ratelimit-remaining']);
    const reset = Number(headers['ratelimit-reset']);
    if (Number.isFinite(remaining) && remaining <= 0 && Number.isFinite(reset) && reset > 0) {
      this.pauseUntil(this.now() + reset * 1000);
    }
  }

  private async waitForSlot(signal: AbortSignal | undefined): Promise<Grant> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      const wait = this.delayNeeded(now);
      if (wait <= 0) break;
      // A long wait (the minute's quota used up) is slept in steps, each told to the listeners with what is
      // left of it, so a sync says at least every 10 s why nothing comes.
      const step = Math.min(wait, NOTICE_EVERY_MS);
      this.waitedMs += step;
      this.waitingUntil = now + wait;
      for (const listener of this.listeners) listener(wait, now + wait);
      await this.pause(step);
    }
    this.waitingUntil = 0;
    signal?.throwIfAborted();
    const grantedAt = this.now();
    this.granted.push(grantedAt);
    let pending = true;
    return {
      sent: () => {
        if (pending) this.restamp(grantedAt);
        pending = false;
      },
    };
  }

  private delayNeeded(now: number): number {
    this.narrowWhenQuiet(now);
    const keepMs = Math.max(this.minute.windowMs, this.second.windowMs);
    while (this.head < this.granted.length && (this.granted[this.head] ?? 0) <= now - keepMs) this.head += 1;
    if (this.head > 4096) {
      this.granted.splice(0, this.head);
      this.head = 0;
    }
    let wait = this.pausedUntil - now;
    const inWindow = this.granted.length - this.head;
    for (const { count, windowMs } of [this.minute, this.second]) {
      if (inWindow < count) continue;
      const oldest = this.granted[this.granted.length - count] ?? now;
      wait = Math.max(wait, oldest + windowMs - now);
    }
    return wait;
  }
}
