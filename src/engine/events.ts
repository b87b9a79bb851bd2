import type { ConnectorError } from '../common/errors.js';
import type { ProfileConsentRecord } from '../generated/profile-consent-record.js';
import type { ProfileConsentState } from '../generated/profile-consent-state.js';

export type SyncMode = 'full_refresh' | 'incremental';

/** What the caller (a protocol face) asks the engine to read. */
export interface StreamRequest {
  stream: string;
  mode: SyncMode;
  /** Parsed state from the previous run, if any. */
  state: ProfileConsentState | undefined;
}

/** What the engine tells a protocol face, in order. The face turns these into its own messages. */
export type SyncEvent =
  | { type: 'stream_started'; stream: string }
  | { type: 'record'; stream: string; record: ProfileConsentRecord }
  /** Everything before this point has been yielded; resuming from `state` loses nothing. */
  | { type: 'checkpoint'; stream: string; state: ProfileConsentState }
  | { type: 'stream_completed'; stream: string }
  | { type: 'stream_failed'; stream: string; error: ConnectorError };
