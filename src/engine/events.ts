import type { ConnectorError } from '../common/errors.js';
import type { ConsentEventRecord } from '../generated/consent-event-record.js';
import type { ConsentEventsState } from '../generated/consent-events-state.js';
import type { ProfileConsentRecord } from '../generated/profile-consent-record.js';
import type { ProfileConsentState } from '../generated/profile-consent-state.js';

/** A record of any stream of this source. */
export type StreamRecord = ProfileConsentRecord | ConsentEventRecord;
/** The state of any stream of this source. */
export type StreamState = ProfileConsentState | ConsentEventsState;

export type SyncMode = 'full_refresh' | 'incremental';

/** What the caller (a protocol face) asks the engine to read. */
export interface StreamRequest {
  stream: string;
  mode: SyncMode;
  /** Parsed state from the previous run, if any (the stream's own kind). */
  state: StreamState | undefined;
}

/** How a long read is going, for progress lines on a terminal. */
export interface ReadProgress {
  records: number;
  pages: number;
  /** Requests made so far in this run, every endpoint. */
  requests: number;
  seconds: number;
  recordsPerSecond: number;
  rateLimitWaitSeconds: number;
  /** Estimated from the ranges left and the density seen so far; Infinity when unknown. */
  estimatedRecordsLeft: number;
  /** Time left by the slower of the speed so far and the rate limit's two windows; Infinity when unknown. */
  estimatedSecondsLeft: number;
  /** Seconds until the request now waiting at Klaviyo's rate limit may go; 0 when none waits. */
  waitingSeconds: number;
  /** The run's last line: totals. */
  done?: boolean;
}

/** What the engine tells a protocol face, in order. The face turns these into its own messages. */
export type SyncEvent =
  | { type: 'stream_started'; stream: string }
  /** A page's records, in order; batched because a yield per record costs more than mapping one. */
  | { type: 'records'; stream: string; records: readonly StreamRecord[] }
  /** Everything before this point has been yielded; resuming from `state` loses nothing. */
  | { type: 'checkpoint'; stream: string; state: StreamState }
  /** Every request waits on Klaviyo's rate limit until `untilMs`; the platform should hear the sync is alive. */
  | { type: 'rate_limited'; stream: string; waitMs: number; untilMs: number }
  | { type: 'progress'; stream: string; progress: ReadProgress }
  | { type: 'stream_completed'; stream: string }
  | { type: 'stream_failed'; stream: string; error: ConnectorError };
