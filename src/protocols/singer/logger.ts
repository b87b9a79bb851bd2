import type { Logger } from '../../common/logger.js';
import { redact } from '../../common/redact.js';

/** Singer taps log plain lines on stderr ("INFO ...", "WARNING ..."); stdout is for messages only. */
export function stderrLine(level: string, message: string): void {
  process.stderr.write(`${level} ${redact(message)}\n`);
}

export const singerLogger: Logger = {
  info: (message) => stderrLine('INFO', message),
  warn: (message) => stderrLine('WARNING', message),
  error: (message) => stderrLine('ERROR', message),
};

/** A Singer metric line, as the Singer best practices describe: `INFO METRIC: {...}`. */
export function metric(type: 'counter' | 'timer', name: string, value: number, tags: Record<string, unknown>): void {
  stderrLine('INFO', `METRIC: ${JSON.stringify({ type, metric: name, value, tags })}`);
}
