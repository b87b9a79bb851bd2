import type { RequestRecord } from '../../klaviyo/client.js';
import { metric } from './logger.js';

/** How often the summed request timings are logged: a long sync gets a line a minute per endpoint, not one per request. */
const EVERY_MS = 60_000;

/**
 * Singer's http_request_duration timer, summed per endpoint and status: one METRIC line per kind of request
 * every minute and at the end, with the mean duration in seconds as its value and the count in its tags. One
 * line per request made ten thousand lines on a large sync.
 */
export class RequestMetrics {
  private readonly sums = new Map<string, { endpoint: string; status: number | 'network-error'; count: number; seconds: number; maxSeconds: number }>();
  private lastFlush = Date.now();

  record(request: RequestRecord): void {
    const endpoint = new URL(request.url).pathname;
    const key = `${endpoint} ${request.status}`;
    const sum = this.sums.get(key) ?? { endpoint, status: request.status, count: 0, seconds: 0, maxSeconds: 0 };
    sum.count += 1;
    sum.seconds += request.durationMs / 1000;
    sum.maxSeconds = Math.max(sum.maxSeconds, request.durationMs / 1000);
    this.sums.set(key, sum);
    if (Date.now() - this.lastFlush >= EVERY_MS) this.flush();
  }

  flush(): void {
    this.lastFlush = Date.now();
    for (const sum of this.sums.values()) {
      metric('timer', 'http_request_duration', round(sum.seconds / sum.count), {
        endpoint: sum.endpoint,
        http_status_code: sum.status,
        status: typeof sum.status === 'number' && sum.status < 400 ? 'succeeded' : 'failed',
        count: sum.count,
        max_seconds: round(sum.maxSeconds),
      });
    }
    this.sums.clear();
  }
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
