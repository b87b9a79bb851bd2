import { Command } from 'commander';
import { asConnectorError } from '../../common/errors.js';
import { packageVersion } from '../../common/package-files.js';
import { LineWriter } from '../line-writer.js';
import { checkCommand, discoverCommand, logInternals, readCommand, specCommand } from './commands.js';
import { errorTraceMessage, logMessage } from './messages.js';
import { stopOnSigterm } from '../stop-on-sigterm.js';

/**
 * The Airbyte source's command line. Whatever happens, stdout carries only protocol messages: failures end
 * as a TRACE ERROR (or, for check, a FAILED status) and exit code 1, never a stack trace.
 */
export async function main(argv: string[]): Promise<number> {
  const out = new LineWriter(process.stdout);
  let exitCode = 0;
  const run = (action: () => Promise<number>) => async () => {
    try {
      exitCode = await action();
    } catch (error) {
      const failure = asConnectorError(error);
      logInternals(failure);
      await out.write(errorTraceMessage(failure.message, failure.failureType));
      exitCode = 1;
    }
  };

  const program = new Command()
    .name('source-klaviyo-consent')
    .description('Airbyte source for Klaviyo marketing consent (stream: profile_consent).')
    .version(packageVersion())
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) })
    .exitOverride();

  program.command('spec').description('print the connector specification').action(run(() => specCommand(out)));
  program
    .command('check')
    .description('validate the config and try one request')
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

  // Without a handler, node run as PID 1 (an image started without tini, `docker run` without --init) ignores
  // SIGTERM, and a cancelled sync waits out the platform's grace period to be killed; with one, every setup
  // stops the same way.
  const stopHandling = stopOnSigterm(out, () => out.enqueue(logMessage('INFO', 'Received SIGTERM; stopping. The next sync resumes from the last STATE.')));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // commander has already told the user on stderr (unknown command, missing --config, --help); a platform
    // reads stdout, so a usage error is also a TRACE ERROR there, naming what to pass.
    const { exitCode: code, code: kind, message } = error as { exitCode?: number; code?: string; message?: string };
    exitCode = typeof code === 'number' ? code : 1;
    if (exitCode !== 0 && kind !== 'commander.help' && kind !== 'commander.helpDisplayed' && kind !== 'commander.version') {
      await out.write(errorTraceMessage(`Invalid command line: ${(message ?? 'unknown error').replace(/^error: /, '')}. Usage: source-klaviyo-consent spec | check --config FILE | discover --config FILE | read --config FILE [--catalog FILE] [--state FILE].`, 'config_error'));
    }
  } finally {
    stopHandling();
  }
  await out.end();
  return exitCode;
}
