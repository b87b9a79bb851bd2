import type { ReadProgress } from '../engine/events.js';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One human line about a long read: how far, how fast, how long the rate limit held it, and what is left. */
export function progressLine(stream: string, p: ReadProgress): string {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  if (p.done) {
    return `${stream}: done: ${n(p.records)} profiles, ${n(p.requests)} requests, rate-limit waits ${duration(p.rateLimitWaitSeconds)}, in ${duration(p.seconds)}`;
  }
  const waiting = p.waitingSeconds >= 1 ? `, waiting ${duration(p.waitingSeconds)} for Klaviyo's rate limit` : '';
  const left = Number.isFinite(p.estimatedSecondsLeft) ? `, about ${duration(p.estimatedSecondsLeft)} left` : '';
  return `${stream}: ${n(p.records)} profiles, ${n(p.pages)} pages, ${n(p.requests)} requests, ${n(p.recordsPerSecond)} profiles/s, rate-limit waits ${duration(p.rateLimitWaitSeconds)}${waiting}${left}`;
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
