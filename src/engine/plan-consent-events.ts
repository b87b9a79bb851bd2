import { toFilterDateTime } from '../common/datetime.js';
import { fullReadDue, resumableState, stateMs } from './plan-state.js';
import type { ConsentEventsState } from '../generated/consent-events-state.js';
import type { SyncMode } from './events.js';

export interface ConsentEventsPlan {
  /** The state to carry and update: the incoming one (a full refresh keeps only its own interrupted attempt's). */
  base: ConsentEventsState;
  /** A metric's events are read from after this instant (lookback and start_date applied); undefined: all. */
  afterMs(metricId: string): number | undefined;
  /** Every event is read this time (a first run, a full refresh, or the periodic full read being due). */
  fullRead: boolean;
  /** The state held instants after this run's start (a wrong clock or a hand edit); they were reset to it. */
  stateInFuture: boolean;
  reason: string;
}

/**
 * Plans a consent_events run. A metric resumes from its own progress (an interrupted run's) else from the
 * stream's watermark, `lookback` earlier (Klaviyo's filters are strict and whole-second, its indexes may lag),
 * and never before `start_date`. A full refresh reads every event from start_date, resuming only its own
 * interrupted attempt. Every `fullResyncDays` (0: never), an incremental run also reads every event again: Klaviyo
 * dates a historical import at its consented_at, before any watermark, and only a full read reaches it (the
 * rows read again merge on id).
 */
export function planConsentEvents(options: {
  mode: SyncMode;
  state: ConsentEventsState | undefined;
  startDateMs: number | undefined;
  runStartedMs: number;
  lookbackSeconds: number;
  fullResyncDays: number;
}): ConsentEventsPlan {
  const { runStartedMs, startDateMs } = options;
  const lookbackMs = Math.max(1, options.lookbackSeconds) * 1000;
  const { base, resumesFullRefresh } = resumableState(options.mode, options.state);
  const runStart = toFilterDateTime(runStartedMs);
  let stateInFuture = false;
  const clamp = (value: string | undefined): string | undefined => {
    const at = stateMs(value);
    if (at !== undefined && at > runStartedMs) {
      stateInFuture = true;
      return runStart;
    }
    return value;
  };
  if (base.datetime !== undefined) base.datetime = clamp(base.datetime);
  if (base.last_full_read !== undefined) base.last_full_read = clamp(base.last_full_read);
  if (base.metrics) base.metrics = Object.fromEntries(Object.entries(base.metrics).map(([id, at]) => [id, clamp(at) as string]));
  const lastFullRead = stateMs(base.last_full_read);
  let reason = '';
  if (options.mode === 'full_refresh') reason = resumesFullRefresh ? 'resuming a full refresh' : 'full refresh';
  else if (base.datetime === undefined && !base.metrics) reason = 'first run';
  else if (fullReadDue(lastFullRead, runStartedMs, options.fullResyncDays)) {
    reason = lastFullRead === undefined ? 'no full read on record' : `the last full read, ${base.last_full_read}, is older than ${options.fullResyncDays} days`;
  }
  // A resumed full refresh continues from its metrics' progress; a periodic full read starts over each time
  // (Get Events is cheap: 1,000 events a request), while new events keep their watermark.
  const fullRead = reason !== '' && reason !== 'resuming a full refresh';
  return {
    base,
    afterMs(metricId) {
      if (fullRead && options.mode === 'incremental') return startDateMs;
      const watermark = stateMs(base.metrics?.[metricId] ?? base.datetime);
      if (watermark === undefined) return startDateMs;
      return Math.max(watermark - lookbackMs, startDateMs ?? Number.NEGATIVE_INFINITY);
    },
    fullRead: reason !== '',
    stateInFuture,
    reason,
  };
}
