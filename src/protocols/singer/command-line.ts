import { Command } from 'commander';
import { packageVersion } from '../../common/package-files.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * The command line every Singer face starts from: name, description, --version, and the repeatable --config
 * (a file, or ENV for the face's variables). Usage errors go to stderr, never into stdout's messages.
 */
export function singerCommand(name: string, description: string, envPrefix: string): Command {
  return new Command()
    .name(name)
    .description(description)
    .version(packageVersion())
    .option('-c, --config <file>', `config JSON file, or ENV for ${envPrefix}* variables; repeatable, later ones win`, collect, [])
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/** The parsed options, or the exit code commander asks for (a usage error, --help, --version). */
export function parseArguments<T extends object>(program: Command, argv: string[]): T | number {
  try {
    program.parse(argv);
    return program.opts<T>();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? code : 2;
  }
}
