import { noFaults, type FaultCounts, type FaultKind } from '../faults/fault-rates.js';

export interface RequestLogEntry {
  method: string;
  url: string;
  /** 0 when the connection was reset on purpose and no response was sent. */
  status: number;
  /** Arrival time, epoch ms. */
  at: number;
  /** For a request the simulator refused (a 4xx it was not told to inject): `code: detail` of its error body. */
  refusal?: string;
}

export interface RequestStats {
  requests: number;
  byStatus: Record<number, number>;
  /** Requests answered with a fault injected on purpose (SimulatorOptions.faults), by kind. */
  faults: FaultCounts;
  /**
   * Requests refused as the real Klaviyo would refuse them (every 4xx but injected faults): a connector that
   * keeps this at 0 sent nothing Klaviyo rejects. By `status code`, e.g. `400 invalid`, `429 throttled`.
   */
  refused: number;
  refusedBy: Record<string, number>;
}

const LOG_LIMIT = 10_000;

/** Live counters and a bounded log of every request the simulator answered. */
export class RequestRecorder {
  /** One object for the simulator's lifetime, so a reference taken by a test stays live. */
  readonly stats: RequestStats = { requests: 0, byStatus: {}, faults: noFaults(), refused: 0, refusedBy: {} };
  private ring: RequestLogEntry[] = [];
  private next = 0;

  /** `fault`: the kind injected, when the answer was one. */
  record(entry: RequestLogEntry, fault?: FaultKind): void {
    this.stats.requests++;
    if (fault) this.stats.faults[fault]++;
    this.stats.byStatus[entry.status] = (this.stats.byStatus[entry.status] ?? 0) + 1;
    if (!fault && entry.status >= 400 && entry.status < 500) {
      this.stats.refused++;
      const key = `${entry.status} ${entry.refusal?.split(':', 1)[0] ?? 'error'}`;
      this.stats.refusedBy[key] = (this.stats.refusedBy[key] ?? 0) + 1;
    }
    if (this.ring.length < LOG_LIMIT) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % LOG_LIMIT;
  }

  /** Oldest first. */
  log(): RequestLogEntry[] {
    if (this.ring.length < LOG_LIMIT) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  reset(): void {
    this.stats.requests = 0;
    for (const status of Object.keys(this.stats.byStatus)) delete this.stats.byStatus[Number(status)];
    Object.assign(this.stats.faults, noFaults());
    this.stats.refused = 0;
    for (const key of Object.keys(this.stats.refusedBy)) delete this.stats.refusedBy[key];
    this.ring = [];
    this.next = 0;
  }
}
