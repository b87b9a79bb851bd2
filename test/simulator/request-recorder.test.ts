import { describe, expect, it } from 'vitest';
import { RequestRecorder } from '../../src/simulator/http/request-recorder.js';

describe('RequestRecorder', () => {
  it('keeps the last 10,000 requests oldest first and counts all of them', () => {
    const recorder = new RequestRecorder();
    const stats = recorder.stats;
    for (let i = 0; i < 10_005; i++) recorder.record({ method: 'GET', url: `/r/${i}`, status: i % 2 === 0 ? 200 : 429, at: i });
    const log = recorder.log();
    expect(log).toHaveLength(10_000);
    expect(log[0]?.url).toBe('/r/5');
    expect(log.at(-1)?.url).toBe('/r/10004');
    expect(stats).toEqual({
      requests: 10_005,
      byStatus: { 200: 5003, 429: 5002 },
      faults: { throttle: 0, serverError: 0, reset: 0, garbage: 0 },
      refused: 5002,
      refusedBy: { '429 error': 5002 },
    });
    recorder.reset();
    expect(stats).toEqual({ requests: 0, byStatus: {}, faults: { throttle: 0, serverError: 0, reset: 0, garbage: 0 }, refused: 0, refusedBy: {} });
    expect(recorder.log()).toEqual([]);
  });

  it('counts injected faults by kind, and reset() zeroes them', () => {
    const recorder = new RequestRecorder();
    recorder.record({ method: 'GET', url: '/a', status: 0, at: 1 }, 'reset');
    recorder.record({ method: 'GET', url: '/b', status: 503, at: 2 }, 'serverError');
    recorder.record({ method: 'GET', url: '/c', status: 200, at: 3 });
    expect(recorder.stats.faults).toEqual({ throttle: 0, serverError: 1, reset: 1, garbage: 0 });
    expect(recorder.stats.byStatus).toEqual({ 0: 1, 503: 1, 200: 1 });
    // An injected fault is not a refusal; a 4xx the simulator decided on is, counted by its code.
    recorder.record({ method: 'GET', url: '/d', status: 429, at: 4 }, 'throttle');
    recorder.record({ method: 'GET', url: '/e', status: 400, at: 5, refusal: 'invalid: Invalid cursor provided.' });
    expect(recorder.stats.refused).toBe(1);
    expect(recorder.stats.refusedBy).toEqual({ '400 invalid': 1 });
    recorder.reset();
    expect(recorder.stats.faults).toEqual({ throttle: 0, serverError: 0, reset: 0, garbage: 0 });
  });
});
