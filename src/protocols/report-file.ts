import { createWriteStream, type WriteStream } from 'node:fs';
import { ConfigError } from '../common/errors.js';
import type { Outcome } from '../write/decisions.js';

/**
 * `report_path`: one JSON line per outcome, with the identifiers in full (the logs mask them). Opened before
 * the run, so a path that cannot be written fails at once, not after an hour of writes.
 */
export class ReportFile {
  private constructor(private readonly stream: WriteStream) {}

  static async open(path: string): Promise<ReportFile> {
    const stream = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(`report_path: cannot write ${path} (${error.code ?? error.message}). Give a file in a folder that exists and is writable.`)));
    });
    return new ReportFile(stream);
  }

  write(outcomes: readonly Outcome[]): void {
    for (const outcome of outcomes) {
      this.stream.write(
        `${JSON.stringify({ record: outcome.position, stream: outcome.stream, ...outcome.identifiers, subject: outcome.subject ?? null, outcome: outcome.outcome, reason: outcome.reason, decided_at: outcome.decidedAt ?? null, klaviyo_at: outcome.klaviyoAt ?? null, ...(outcome.dryRun ? { dry_run: true } : {}) })}\n`,
      );
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
