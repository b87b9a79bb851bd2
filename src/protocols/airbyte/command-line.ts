import { Command } from 'commander';
import { asConnectorError } from '../../common/errors.js';
import { packageVersion } from '../../common/package-files.js';
import { LineWriter } from '../line-writer.js';
import { stopOnSigterm } from '../stop-on-sigterm.js';
import { logInternals } from './commands.js';
import { errorTraceMessage, logMessage } from './messages.js';

/** A command's action: resolves with the exit code. */
export type Action = () => Promise<number>;

/**
 * What every Airbyte face's command line shares: stdout carries only protocol messages; a failure ends as one
 * TRACE ERROR and exit 1, never a stack trace (that goes to stderr); a usage error is a TRACE ERROR too, as a
 * platform reads stdout; SIGTERM stops at once with exit 143. `define` adds the commands, wrapping each
 * action with `run`.
 */
export async function airbyteCommandLine(
  argv: string[],
  face: { name: string; description: string; usage: string; onStop: string },
  define: (program: Command, run: (action: Action) => () => Promise<void>, out: LineWriter) => void,
): Promise<number> {
  const out = new LineWriter(process.stdout);
  let exitCode = 0;
  const run = (action: Action) => async () => {
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
    .name(face.name)
    .description(face.description)
    .version(packageVersion())
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
  define(program, run, out);

  // Without a handler, node run as PID 1 (an image started without tini, `docker run` without --init) ignores
  // SIGTERM, and a cancelled sync waits out the platform's grace period to be killed; with one, every setup
  // stops the same way.
  const stopHandling = stopOnSigterm(out, () => out.enqueue(logMessage('INFO', `Received SIGTERM; stopping. ${face.onStop}`)));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // commander has already told the user on stderr (unknown command, missing option, --help).
    const { exitCode: code, code: kind, message } = error as { exitCode?: number; code?: string; message?: string };
    exitCode = typeof code === 'number' ? code : 1;
    if (exitCode !== 0 && kind !== 'commander.help' && kind !== 'commander.helpDisplayed' && kind !== 'commander.version') {
      await out.write(errorTraceMessage(`Invalid command line: ${(message ?? 'unknown error').replace(/^error: /, '')}. ${face.usage}.`, 'config_error'));
    }
  } finally {
    stopHandling();
  }
  await out.end();
  return exitCode;
}
