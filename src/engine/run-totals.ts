import type { KlaviyoClient } from '../klaviyo/client.js';
import type { ReadProgress } from './events.js';

/**
 * A stream's totals from now on: the requests it sends and the time it waits on Klaviyo's limits, for its
 * closing progress line (the client counts for the whole run, across streams).
 */
export function startTotals(client: KlaviyoClient) {
  const started = Date.now();
  const requestsBefore = client.requestCount;
  const waitedBefore = client.waitedMs;
  return {
    requests: () => client.requestCount - requestsBefore,
    seconds: () => (Date.now() - started) / 1000,
    /** The stream's last progress event: records, requests, waits and time. */
    done(records: number): { type: 'progress'; progress: ReadProgress } {
      const seconds = (Date.now() - started) / 1000;
      return {
        type: 'progress',
        progress: {
          done: true,
          records,
          pages: 0,
          requests: client.requestCount - requestsBefore,
          seconds,
          recordsPerSecond: seconds > 0 ? records / seconds : 0,
          rateLimitWaitSeconds: (client.waitedMs - waitedBefore) / 1000,
          estimatedRecordsLeft: 0,
          estimatedSecondsLeft: 0,
          waitingSeconds: 0,
        },
      };
    },
  };
}
