import { toFilterDateTime } from '../common/datetime.js';
import { fullReadDue, resumableState, stateMs } from './plan-state.js';
import type { ProfileConsentState } from '../generated/profile-consent-state.js';
import type { SyncMode } from './events.js';

/** Which detectors run this time, and from where. All instants are ms since the epoch. */
export interface SyncPlan {
  /** Detector 1 reads every profile (from start_date): a first run, a due or resumed full pass, a full refresh. */
  fullPass: boolean;
  /** Detector 1: inclusive lower bound on `updated` (lookback applied), undefined for all history. */
  scanLowerMs: number | undefined;
  /** Detector 1: the cursor to report until the scan passes it. */
  scanInitialCursor: string | undefined;
  /** Detector 2 reads suppressions after this instant; undefined when it does not run. */
  suppressionsAfterMs: number | undefined;
  /** Detector 3 reads consent events after this instant; undefined when it does not run. */
  eventsAfterMs: number | undefined;
  /** The state to carry and update: the incoming one, upgraded, with this run's starting bookkeeping. */
  base: ProfileConsentState;
  stateInFuture: boolean;
  /** Why a full pass runs, for the log. */
  reason: string;
}

/**
 * Plans a run from the incoming state and settings.
 *
 * - Every detector's watermark is an instant up to which it has completely read. Each resumes `lookback`
 *   earlier: Klaviyo's filters are strict and whole-second, and its indexes can lag a little.
 * - A state of the first version holds only `updated`; its detectors 2 and 3 start from that instant.
 * - A detector with no watermark whose run reads every profile anyway starts at the run's start: everything
 *   before it is covered by that read, even if the read is interrupted and resumed later.
 * - A full pass is due when the last complete one is older than `fullResyncDays` (0: never), and continues
 *   across runs (from `updated`) until it completes.
 */
export function planSync(options: {
  mode: SyncMode;
  state: ProfileConsentState | undefined;
  startDateMs: number | undefined;
  runStartedMs: number;
  lookbackSeconds: number;
  fullResyncDays: number;
  consentEvents: boolean;
}): SyncPlan {
  const { runStartedMs, startDateMs } = options;
  const lookbackMs = Math.max(1, options.lookbackSeconds) * 1000;
  const runStart = toFilterDateTime(runStartedMs);
  const { base } = resumableState(options.mode, options.state);

  // Instants after this run's start come from a run whose clock was ahead (or a hand edit). Nothing can be
  // newer, so this run reads nothing for them (the watermarks are reset to its start), but the changes made
  // between the real time of that run and now may have been skipped: the full pass bookkeeping is dropped
  // from the state this run writes, so the next run makes a full pass (unless full_resync_days is 0).
  let stateInFuture = false;
  for (const key of ['updated', 'suppressions_since', 'events_since', 'last_full_pass', 'full_pass_started'] as const) {
    const at = stateMs(base[key]);
    if (at !== undefined && at > runStartedMs) stateInFuture = true;
  }
  const lastFullPassBefore = stateInFuture ? stateMs(base.last_full_pass) : undefined;
  if (stateInFuture) {
    for (const key of ['updated', 'suppressions_since', 'events_since'] as const) {
      const at = stateMs(base[key]);
      if (at !== undefined && at > runStartedMs) base[key] = runStart;
    }
    delete base.full_pass_started;
  }
  // First version of the state: only `updated`. Its other detectors start where it stood.
  if (base.updated !== undefined) {
    base.suppressions_since ??= base.updated;
    base.events_since ??= base.updated;
  }

  // With a state in the future, this run's choice uses the recorded pass (even if in the future, so not due
  // now); the state it writes has none, which makes the next run's pass due.
  const lastFullPass = stateInFuture ? lastFullPassBefore : stateMs(base.last_full_pass);
  if (stateInFuture) delete base.last_full_pass;
  let reason = '';
  if (options.mode === 'full_refresh') reason = 'full refresh';
  else if (base.full_pass_started !== undefined) reason = `resuming the full pass started ${base.full_pass_started}`;
  else if (base.updated === undefined) reason = 'first run';
  else if (!stateInFuture && fullReadDue(lastFullPass, runStartedMs, options.fullResyncDays)) {
    reason = lastFullPass === undefined ? 'no full pass on record' : `last full pass ${base.last_full_pass} is older than ${options.fullResyncDays} days`;
  }
  const fullPass = reason !== '';

  // A full refresh records when its first attempt began: a resumed attempt must not claim it read, as of
  // its own start, what the first attempt read earlier.
  if (fullPass && options.mode === 'full_refresh') base.full_pass_started ??= runStart;

  if (fullPass && options.mode === 'incremental' && base.full_pass_started === undefined) {
    base.full_pass_started = runStart;
    // A pass from scratch: its progress replaces the incremental cursor, which it will overtake.
    delete base.updated;
  }
  // Detectors with no watermark start now when this run reads everything anyway, and have nothing to read
  // in this run: the scan reads every profile as it is now, with every change made before this run's start.
  const suppressionsUnwatched = fullPass && base.suppressions_since === undefined;
  const eventsUnwatched = fullPass && base.events_since === undefined;
  if (fullPass) {
    base.suppressions_since ??= runStart;
    base.events_since ??= runStart;
  }

  const cursorMs = stateMs(base.updated);
  // A resumed full pass overlaps by the lookback too: its cursor is a watermark like any other.
  const bounds = [cursorMs === undefined ? undefined : cursorMs - lookbackMs, startDateMs].filter((v): v is number => v !== undefined);
  const scanLowerMs = bounds.length > 0 ? Math.floor(Math.max(...bounds) / 1000) * 1000 : undefined;
  const after = (watermark: string | undefined) => {
    const at = stateMs(watermark);
    return at === undefined ? undefined : Math.max(at - lookbackMs, startDateMs ?? Number.NEGATIVE_INFINITY);
  };
  return {
    fullPass,
    scanLowerMs,
    scanInitialCursor: base.updated,
    // During a full refresh the scan reads everything; the detectors add nothing but requests.
    suppressionsAfterMs: options.mode === 'full_refresh' || suppressionsUnwatched ? undefined : after(base.suppressions_since),
    eventsAfterMs: options.mode === 'full_refresh' || eventsUnwatched || !options.consentEvents ? undefined : after(base.events_since),
    base,
    stateInFuture,
    reason,
  };
}
