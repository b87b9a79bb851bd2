import type { ReadProgress } from '../engine/events.js';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One human line about a long read. */
export function progressLine(stream: string, p: ReadProgress): string {
  const left = p.recordsPerSecond > 0 && Number.isFinite(p.estimatedRecordsLeft) ? `, about ${duration(p.estimatedRecordsLeft / p.recordsPerSecond)} left` : '';
  return `${stream}: ${p.records.toLocaleString('en-US')} profiles, ${p.pages.toLocaleString('en-US')} pages, ${Math.round(p.recordsPerSecond).toLocaleString('en-US')} profiles/s, rate-limit waits ${p.rateLimitWaitSeconds.toFixed(1)} s${left}`;
}

/**
 * Progress goes to stderr, and only where someone is watching (a terminal) or asked for it (--progress):
 * platforms that capture stderr would otherwise store a line every few seconds for hours.
 */
export function progressReporter(requested: boolean | undefined): (stream: string, progress: ReadProgress) => void {
  const enabled = requested === true || process.stderr.isTTY === true;
  return (stream, progress) => {
    if (enabled) process.stderr.write(`${progressLine(stream, progress)}\n`);
  };
}
