import { describe, expect, it } from 'vitest';
import type { ReadProgress } from '../../src/engine/events.js';
import { progressLine } from '../../src/protocols/progress.js';

const base: ReadProgress = {
  records: 12_000,
  pages: 120,
  requests: 131,
  seconds: 10,
  recordsPerSecond: 1200,
  rateLimitWaitSeconds: 0,
  estimatedRecordsLeft: 88_000,
  estimatedSecondsLeft: 75,
  waitingSeconds: 0,
};

describe('progress lines', () => {
  it("give the estimate the limit allows, not the first seconds' speed", () => {
    expect(progressLine('profile_consent', base)).toBe('profile_consent: 12,000 profiles, 120 pages, 131 requests, 1,200 profiles/s, rate-limit waits 0 s, about 75 s left');
  });

  it('say so while a request waits on the limit, and for how long', () => {
    expect(progressLine('profile_consent', { ...base, rateLimitWaitSeconds: 41, waitingSeconds: 48.2 })).toContain("rate-limit waits 41 s, waiting 49 s for Klaviyo's rate limit");
  });

  it('end with records, requests, waits and time', () => {
    expect(progressLine('profile_consent', { ...base, done: true, records: 100_000, requests: 1043, rateLimitWaitSeconds: 95, seconds: 132 })).toBe(
      'profile_consent: done: 100,000 profiles, 1,043 requests, rate-limit waits 2 min, in 2 min',
    );
  });
});
