import { Option } from 'commander';
import { asConnectorError, ConfigError } from '../../common/errors.js';
import { parseConfig } from '../../config/parse-config.js';
import { readJsonFile } from '../../config/read-json-file.js';
import { LineWriter } from '../line-writer.js';
import { stopOnSigterm } from '../stop-on-sigterm.js';
import { aboutInfo, aboutMarkdown } from './about.js';
import { selectionsFromCatalog, singerCatalog } from './catalog.js';
import { parseArguments, singerCommand } from './command-line.js';
import { loadSingerConfig, TAP_SETTINGS } from './config-sources.js';
import { singerLogger, stderrLine } from './logger.js';
import { runTap } from './run-tap.js';
import { parseSingerState } from './state.js';

interface TapOptions {
  config: string[];
  discover?: boolean;
  catalog?: string;
  properties?: string;
  state?: string;
  about?: boolean;
  format: 'json' | 'markdown';
  progress?: boolean;
}

/**
 * The Singer tap's command line. stdout carries only Singer messages (or the catalog / about output); a
 * fatal error is one `CRITICAL ...` line on stderr and a non-zero exit, never a stack trace.
 */
export async function main(argv: string[]): Promise<number> {
  const out = new LineWriter(process.stdout);
  const program = singerCommand('tap-klaviyo-consent', 'Singer tap for Klaviyo marketing consent (streams: profile_consent, and consent_events, the history).', TAP_SETTINGS.envPrefix)
    .option('-d, --discover', 'print the catalog (no network call)')
    .option('--catalog <file>', 'catalog with the streams and properties to sync')
    .option('-p, --properties <file>', 'legacy alias of --catalog')
    .option('-s, --state <file>', 'state from a previous run')
    .option('--about', 'print what the tap is and its settings')
    .option('--progress', 'progress lines on stderr even when it is not a terminal')
    .addOption(new Option('--format <format>', 'output of --about').choices(['json', 'markdown']).default('json'));
  const options = parseArguments<TapOptions>(program, argv);
  if (typeof options === 'number') return options;

  const stopHandling = stopOnSigterm(out, () => stderrLine('INFO', 'Received SIGTERM; stopping. Resume from the last STATE.'));

  try {
    if (options.about) {
      if (options.format === 'markdown') process.stdout.write(aboutMarkdown());
      else process.stdout.write(`${JSON.stringify(aboutInfo(), null, 2)}\n`);
      return 0;
    }
    if (options.config.length === 0) throw new ConfigError('--config is required: a JSON file with at least {"api_key": "pk_..."}, or ENV to read TAP_KLAVIYO_CONSENT_* variables.');
    const loaded = await loadSingerConfig(options.config);
    const settings = parseConfig(loaded.config, { source: loaded.source });
    for (const message of loaded.unknown) stderrLine('WARNING', `config: ${message} It is ignored.`);
    if (options.discover) {
      process.stdout.write(`${JSON.stringify(singerCatalog(), null, 2)}\n`);
      return 0;
    }
    const catalogPath = options.catalog ?? options.properties;
    const selections = selectionsFromCatalog(catalogPath ? await readJsonFile(catalogPath, options.catalog ? 'catalog' : 'properties') : undefined);
    const state = parseSingerState(options.state ? await readJsonFile(options.state, 'state') : undefined, singerLogger);
    const code = await runTap({ settings, selections, state, out, progress: options.progress });
    await out.end();
    return code;
  } catch (error) {
    await out.end();
    stderrLine('CRITICAL', asConnectorError(error).message);
    return 1;
  } finally {
    stopHandling();
  }
}
