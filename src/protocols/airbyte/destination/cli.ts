import type { Readable } from 'node:stream';
import { readPackageJson } from '../../../common/package-files.js';
import { destinationUnknownSettings, parseDestinationConfig, type DestinationSettings } from '../../../config/parse-destination-config.js';
import { readJsonFile } from '../../../config/read-json-file.js';
import { checkWriteAccess } from '../../../write/check-write-access.js';
import { createWriteClient } from '../../../write/client.js';
import { airbyteLogger, connectionCheck, loadAirbyteConfig } from '../commands.js';
import { airbyteCommandLine } from '../command-line.js';
import { writeFromStdin } from './write-command.js';

const USAGE = 'Usage: destination-klaviyo-consent spec | check --config FILE | write --config FILE --catalog FILE [--dry-run] < messages';

async function loadSettings(path: string, options: { strict?: boolean; dryRun?: boolean; logger?: ReturnType<typeof airbyteLogger> } = {}): Promise<DestinationSettings> {
  const settings = await loadAirbyteConfig(path, parseDestinationConfig, destinationUnknownSettings, options);
  return options.dryRun ? { ...settings, dryRun: true } : settings;
}

/**
 * The Airbyte destination's command line: `spec`, `check`, `write` (Airbyte messages on stdin). stdout carries
 * only protocol messages; a failure is a TRACE ERROR (for check, a FAILED status) and exit 1.
 */
export function main(argv: string[], input: Readable = process.stdin): Promise<number> {
  return airbyteCommandLine(
    argv,
    {
      name: 'destination-klaviyo-consent',
      description: 'Airbyte destination that writes marketing consent into Klaviyo, safely (newest decision wins, confirmed).',
      usage: USAGE,
      onStop: 'Re-run from the last STATE passed on: what it re-sends is a no-op.',
    },
    (program, run, out) => {
      const logger = airbyteLogger(out);
      program.command('spec').description('print the destination specification').action(
        run(async () => {
          await out.write({ type: 'SPEC', spec: readPackageJson('destination-spec.json') as Record<string, unknown> });
          return 0;
        }),
      );
      program
        .command('check')
        .description("check the key's access: read, and each job a write may send (nothing is written)")
        .requiredOption('--config <file>', 'config JSON file')
        .action((options: { config: string }) =>
          run(() =>
            connectionCheck(out, async () => {
              const settings = await loadSettings(options.config, { strict: true });
              // A check should answer in seconds, not wait out a long retry budget.
              const client = createWriteClient({ ...settings, maxRetrySeconds: Math.min(settings.maxRetrySeconds, 8) }, logger);
              await checkWriteAccess(client, settings);
            }),
          )(),
        );
      program
        .command('write')
        .description('write the consent of the records on stdin to Klaviyo')
        .requiredOption('--config <file>', 'config JSON file')
        .requiredOption('--catalog <file>', 'configured catalog JSON file')
        .option('--dry-run', 'report what would be written, and write nothing')
        .action((options: { config: string; catalog: string; dryRun?: boolean }) =>
          run(async () => {
            const settings = await loadSettings(options.config, { logger, ...(options.dryRun ? { dryRun: true } : {}) });
            // Any stream may carry consent; the catalog is read only so that a wrong path fails here.
            await readJsonFile(options.catalog, 'catalog');
            await writeFromStdin(settings, input, out, logger, (state) => out.write(state));
            return 0;
          })(),
        );
    },
  );
}
