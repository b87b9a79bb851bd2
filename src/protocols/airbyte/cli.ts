import { airbyteCommandLine } from './command-line.js';
import { checkCommand, discoverCommand, readCommand, specCommand } from './commands.js';

/** The Airbyte source's command line: spec, check, discover, read. */
export function main(argv: string[]): Promise<number> {
  return airbyteCommandLine(
    argv,
    {
      name: 'source-klaviyo-consent',
      description: 'Airbyte source for Klaviyo marketing consent (stream: profile_consent).',
      usage: 'Usage: source-klaviyo-consent spec | check --config FILE | discover --config FILE | read --config FILE [--catalog FILE] [--state FILE]',
      onStop: 'The next sync resumes from the last STATE.',
    },
    (program, run, out) => {
      program.command('spec').description('print the connector specification').action(run(() => specCommand(out)));
      program
        .command('check')
        .description('validate the config and try one request to each endpoint a sync uses')
        .requiredOption('--config <file>', 'config JSON file')
        .action((options: { config: string }) => run(() => checkCommand(options.config, out))());
      program
        .command('discover')
        .description('print the catalog (no network call)')
        .requiredOption('--config <file>', 'config JSON file')
        .action((options: { config: string }) => run(() => discoverCommand(options.config, out))());
      program
        .command('read')
        .description('read records, states and statuses')
        .requiredOption('--config <file>', 'config JSON file')
        .option('--catalog <file>', 'configured catalog JSON file (default: every stream)')
        .option('--state <file>', 'state JSON file from a previous run')
        .option('--progress', 'progress lines on stderr even when it is not a terminal')
        .action((options: { config: string; catalog?: string; state?: string; progress?: boolean }) => run(() => readCommand(options, out))());
    },
  );
}
