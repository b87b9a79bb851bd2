import { parseDateTime } from '../common/datetime.js';
import type { SyncMode } from './events.js';

const DAY_MS = 86_400_000;

/** Whole-second epoch ms of a state's instant; undefined when absent. */
export const stateMs = (value: string | undefined): number | undefined => (value === undefined ? undefined : parseDateTime(value)?.secondsMs);

/**
 * The part of an incoming state a run may resume from, without the full refresh flag. A full refresh resumes only
 * its own interrupted attempt; any other state (an incremental one left behind after a mode change) would make it
 * deliver just the recent changes to a destination it overwrites. Returned without the flag.
 */
export function resumableState<S extends { full_refresh_in_progress?: boolean }>(mode: SyncMode, state: S | undefined): { base: S; resumesFullRefresh: boolean } {
  const flagged = state?.full_refresh_in_progress === true;
  const base = mode === 'incremental' || flagged ? structuredClone(state ?? ({} as S)) : ({} as S);
  delete base.full_refresh_in_progress;
  return { base, resumesFullRefresh: mode === 'full_refresh' && flagged };
}

/** Whether the periodic full read is due: the last one is older than `days` (0: never), or none is on record. */
export function fullReadDue(lastMs: number | undefined, runStartedMs: number, days: number): boolean {
  return days > 0 && (lastMs === undefined || runStartedMs - lastMs >= days * DAY_MS);
}
