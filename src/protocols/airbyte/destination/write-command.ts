import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ConfigError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import type { DestinationSettings } from '../../../config/parse-destination-config.js';
import { createWriteClient } from '../../../write/client.js';
import type { Outcome } from '../../../write/decisions.js';
import { outcomeLogLine } from '../../../write/log-line.js';
import { WriteSession } from '../../../write/session.js';
import type { LineWriter } from '../../line-writer.js';
import { ReportFile } from '../../report-file.js';

/**
 * Airbyte's `write`: RECORD messages in, consent written to Klaviyo, each STATE passed on once every record
 * before it has an outcome (applied and confirmed, or reported). Conflicts and rejections are data outcomes,
 * logged and counted; the run still succeeds.
 */
export async function writeFromStdin(
  settings: DestinationSettings,
  input: Readable,
  out: LineWriter,
  logger: Logger,
  emitState: (message: object) => Promise<void>,
): Promise<void> {
  const report = settings.reportPath ? await ReportFile.open(settings.reportPath) : undefined;
  const session = new WriteSession(createWriteClient(settings, logger), settings, logger);
  const record = (outcomes: Outcome[]) => {
    report?.write(outcomes);
    for (const outcome of outcomes) {
      const line = outcomeLogLine(outcome);
      if (line) logger.warn(line);
    }
  };
  let lineNumber = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let message: { type?: string; record?: { stream?: string; data?: unknown }; state?: unknown };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        throw new ConfigError(`Input line ${lineNumber} is not JSON: a destination reads Airbyte messages, one JSON object per line.`);
      }
      if (message.type === 'RECORD') {
        record(await session.add(message.record?.data, message.record?.stream ?? 'unknown'));
      } else if (message.type === 'STATE') {
        // A state may only be passed on once everything before it is written and confirmed, or reported.
        record(await session.flush());
        // A dry run wrote nothing: a state passed on would tell the platform these records are written.
        if (settings.dryRun) continue;
        await emitState(message);
        await out.flush();
      }
    }
    record(await session.flush());
    if (settings.dryRun) logger.info('write: dry run: no STATE passed on, so the next real run starts where this one did.');
    logger.info(`write: ${session.summary()}`);
  } finally {
    await report?.close();
  }
}
