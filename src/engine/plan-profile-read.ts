import { parseDateTime, toFilterDateTime } from '../common/datetime.js';
import type { ProfileConsentState } from '../generated/profile-consent-state.js';
import type { SyncMode } from './events.js';

export interface ProfileReadPlan {
  /** Klaviyo filter for the scan, or undefined for every profile. */
  filter: string | undefined;
  /** Inclusive lower bound on `updated` the filter expresses, ms; undefined for every profile. */
  lowerMs: number | undefined;
  /** The cursor to report if nothing newer is read: the incoming one, never past the run's start. */
  initialCursor: string | undefined;
  /** True when the incoming state lay after the run's start (a clock or hand-edit problem). */
  stateInFuture: boolean;
}

/**
 * Where a read of profile_consent starts. Klaviyo's `greater-than(updated, ...)` is strict and its timestamps
 * are whole seconds, so a cursor T is resumed from T minus one second: profiles that share T's second but
 * fell after the last checkpoint are read again rather than lost (at-least-once; the destination dedups on id).
 * A start_date S is read the same way, so profiles updated exactly at S are included.
 */
export function planProfileRead(options: {
  mode: SyncMode;
  state: ProfileConsentState | undefined;
  startDateMs: number | undefined;
  runStartedMs: number;
}): ProfileReadPlan {
  const { state: given, startDateMs, runStartedMs } = options;
  // A full refresh resumes only its own interrupted attempt; any other state (an incremental one left behind
  // after a mode change) would make it deliver just the recent changes to a destination it overwrites.
  const state = options.mode === 'incremental' || given?.full_refresh_in_progress === true ? given : undefined;
  const cursorMs = state?.updated ? parseDateTime(state.updated)?.secondsMs : undefined;
  const bounds = [cursorMs, startDateMs].filter((ms): ms is number => ms !== undefined);
  const lowerMs = bounds.length > 0 ? Math.max(...bounds) : undefined;
  const floorMs = lowerMs === undefined ? undefined : Math.floor(lowerMs / 1000) * 1000;
  const filter = floorMs === undefined ? undefined : `greater-than(updated,${toFilterDateTime(floorMs - 1000)})`;
  const stateInFuture = cursorMs !== undefined && cursorMs > runStartedMs;
  const initialCursor = state?.updated === undefined ? undefined : stateInFuture ? toFilterDateTime(runStartedMs) : state.updated;
  return { filter, lowerMs: floorMs, initialCursor, stateInFuture };
}
