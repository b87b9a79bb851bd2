import { describe, expect, it } from 'vitest';
import { RequestRecorder } from '../../src/simulator/request-recorder.js';

describe('RequestRecorder', () => {
  it('keeps the last 10,000 requests oldest first and counts all of them', () => {
    const recorder = new RequestRecorder();
    const stats = recorder.stats;
    for (let i = 0; i < 10_005; i++) recorder.record({ method: 'GET', url: `/r/${i}`, status: i % 2 === 0 ? 200 : 429, at: i });
    const log = recorder.log();
    expect(log).toHaveLength(10_000);
    expect(log[0]?.url).toBe('/r/5');
    expect(log.at(-1)?.url).toBe('/r/10004');
    expect(stats).toEqual({ requests: 10_005, byStatus: { 200: 5003, 429: 5002 } });
    recorder.reset();
    expect(stats).toEqual({ requests: 0, byStatus: {} });
    expect(recorder.log()).toEqual([]);
  });
});
