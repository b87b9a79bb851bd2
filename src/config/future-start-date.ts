import type { Settings } from './settings.js';

/**
 * A start_date after now reads nothing (no profile has been updated in the future), so it is almost always a
 * typo in the year. `check` fails on it, and a sync warns. Undefined when start_date is fine.
 */
export function futureStartDate(settings: Pick<Settings, 'startDateMs'>, nowMs = Date.now()): string | undefined {
  if (settings.startDateMs === undefined || settings.startDateMs <= nowMs) return undefined;
  return `start_date: ${new Date(settings.startDateMs).toISOString()} is in the future, so a sync would read no profile until then. Use a past date, or leave start_date out to read all history.`;
}
