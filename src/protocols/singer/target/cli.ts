import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { asConnectorError, ConfigError } from '../../../common/errors.js';
import { destinationSpecification, parseDestinationConfig } from '../../../config/parse-destination-config.js';
import { createWriteClient } from '../../../write/client.js';
import type { Outcome } from '../../../write/decisions.js';
import { WriteSession } from '../../../write/session.js';
import { outcomeLogLine } from '../../../write/log-line.js';
import { LineWriter } from '../../line-writer.js';
import { ReportFile } from '../../report-file.js';
import { stopOnSigterm } from '../../stop-on-sigterm.js';
import { parseArguments, singerCommand } from '../command-line.js';
import { loadSingerConfig, type SettingsSpec } from '../config-sources.js';
import { singerLogger, stderrLine } from '../logger.js';

const TARGET_SETTINGS: SettingsSpec = { envPrefix: 'TARGET_KLAVIYO_CONSENT_', properties: destinationSpecification.properties as SettingsSpec['properties'] };

/**
 * The Singer target: Singer messages on stdin (SCHEMA, RECORD, STATE), consent written to Klaviyo. Each STATE's
 * value is printed on stdout once every record before it has an outcome, as Singer targets do, so a runner
 * that resumes from it loses nothing. Logs on stderr; a fatal error is one CRITICAL line and exit 1.
 */
export async function main(argv: string[], input: Readable = process.stdin): Promise<number> {
  const out = new LineWriter(process.stdout);
  const program = singerCommand('target-klaviyo-consent', 'Singer target that writes marketing consent into Klaviyo, safely (newest decision wins, confirmed).', TARGET_SETTINGS.envPrefix).option(
    '--dry-run',
    'report what would be written, and write nothing',
  );
  const options = parseArguments<{ config: string[]; dryRun?: boolean }>(program, argv);
  if (typeof options === 'number') return options;
  const stopHandling = stopOnSigterm(out, () => stderrLine('INFO', 'Received SIGTERM; stopping. Re-run from the last state printed: what it re-sends is a no-op.'));
  let report: ReportFile | undefined;
  try {
    if (options.config.length === 0) throw new ConfigError('--config is required: a JSON file with at least {"api_key": "pk_..."}, or ENV to read TARGET_KLAVIYO_CONSENT_* variables.');
    const loaded = await loadSingerConfig(options.config, process.env, TARGET_SETTINGS);
    if (loaded.likelyTypos.length > 0) {
      throw new ConfigError(`Invalid config: ${loaded.likelyTypos.join(' ')} A mistyped setting changes what is written to Klaviyo, so the run stops rather than guess.`);
    }
    const parsed = parseDestinationConfig(loaded.config, { source: loaded.source });
    for (const message of loaded.unknown) stderrLine('WARNING', `config: ${message} It is ignored.`);
    const settings = options.dryRun ? { ...parsed, dryRun: true } : parsed;
    report = settings.reportPath ? await ReportFile.open(settings.reportPath) : undefined;
    const session = new WriteSession(createWriteClient(settings, singerLogger), settings, singerLogger);
    const record = (outcomes: Outcome[]) => {
      report?.write(outcomes);
      for (const outcome of outcomes) {
        const line = outcomeLogLine(outcome);
        if (line) stderrLine('WARNING', line);
      }
    };
    let lineNumber = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let message: { type?: string; stream?: string; record?: unknown; value?: unknown };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        throw new ConfigError(`Input line ${lineNumber} is not JSON: a Singer target reads Singer messages, one JSON object per line.`);
      }
      if (message.type === 'RECORD') {
        record(await session.add(message.record, message.stream ?? 'unknown'));
      } else if (message.type === 'STATE') {
        record(await session.flush());
        // A dry run wrote nothing: a state printed would let the runner record these records as written.
        if (settings.dryRun) continue;
        await out.write(message.value ?? null);
        await out.flush();
      }
    }
    record(await session.flush());
    if (settings.dryRun) stderrLine('INFO', 'target-klaviyo-consent: dry run: no state printed, so the next real run starts where this one did.');
    stderrLine('INFO', `target-klaviyo-consent: ${session.summary()}`);
    await out.end();
    return 0;
  } catch (error) {
    await out.end();
    stderrLine('CRITICAL', asConnectorError(error).message);
    return 1;
  } finally {
    await report?.close();
    stopHandling();
  }
}
