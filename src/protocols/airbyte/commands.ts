import { asConnectorError, ConfigError, type ConnectorError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { readPackageJson } from '../../common/package-files.js';
import { redact } from '../../common/redact.js';
import { futureStartDate } from '../../config/future-start-date.js';
import { parseConfig, unknownSettingMessages } from '../../config/parse-config.js';
import { readJsonFile } from '../../config/read-json-file.js';
import type { Settings } from '../../config/settings.js';
import { checkConnection } from '../../engine/check-connection.js';
import type { StreamRequest } from '../../engine/events.js';
import { createClient, runSync } from '../../engine/run-sync.js';
import { DEFAULT_STREAM } from '../../streams/registry.js';
import type { LineWriter } from '../line-writer.js';
import { progressReporter } from '../progress.js';
import { discoverStreams, streamsFromConfiguredCatalog } from './catalog.js';
import {
  catalogMessage,
  connectionStatusMessage,
  errorTraceMessage,
  logMessage,
  recordLine,
  specMessage,
  streamStateMessage,
  streamStatusMessage,
} from './messages.js';
import { parseAirbyteState } from './state.js';

/** Logs as Airbyte LOG messages, so they land in the platform's sync log next to the records. */
export function airbyteLogger(out: LineWriter): Logger {
  return {
    info: (message) => out.enqueue(logMessage('INFO', message)),
    warn: (message) => out.enqueue(logMessage('WARN', message)),
    error: (message) => out.enqueue(logMessage('ERROR', message)),
  };
}

/** Keeps the stack for whoever debugs, on stderr, never on stdout (where the platform parses messages). */
export function logInternals(error: ConnectorError): void {
  if (error.internalMessage) process.stderr.write(`${redact(error.internalMessage)}\n`);
}

export async function specCommand(out: LineWriter): Promise<number> {
  const spec = readPackageJson('spec.json') as { documentationUrl: string; connectionSpecification: object };
  await out.write(specMessage(spec));
  return 0;
}

/**
 * A config file's settings, for either face (source or destination). A key no setting has fails `check`
 * (strict), and is a warning elsewhere: Airbyte may pass keys of its own, and a sync should not stop for one.
 */
export async function loadAirbyteConfig<T>(
  configPath: string,
  parse: (raw: unknown, options: { strict: boolean }) => T,
  unknownMessages: (raw: Record<string, unknown>) => string[],
  options: { strict?: boolean; logger?: Logger } = {},
): Promise<T> {
  const raw = await readJsonFile(configPath, 'config');
  const settings = parse(raw, { strict: options.strict ?? false });
  if (options.logger && typeof raw === 'object' && raw !== null) {
    for (const message of unknownMessages(raw as Record<string, unknown>)) options.logger.warn(`config: ${message} It is ignored.`);
  }
  return settings;
}

const loadSettings = (configPath: string, options: { strict?: boolean; logger?: Logger } = {}): Promise<Settings> => loadAirbyteConfig(configPath, parseConfig, unknownSettingMessages, options);

/**
 * `check` for either face: `probe` throws what is wrong. It always exits 0: the verdict is in the
 * CONNECTION_STATUS message, as the protocol asks.
 */
export async function connectionCheck(out: LineWriter, probe: () => Promise<void>): Promise<number> {
  try {
    await probe();
    await out.write(connectionStatusMessage('SUCCEEDED'));
  } catch (error) {
    const failure = asConnectorError(error);
    logInternals(failure);
    await out.write(connectionStatusMessage('FAILED', failure.message));
  }
  return 0;
}

export function checkCommand(configPath: string, out: LineWriter): Promise<number> {
  return connectionCheck(out, async () => {
    const settings = await loadSettings(configPath, { strict: true });
    const startDateProblem = futureStartDate(settings);
    if (startDateProblem) throw new ConfigError(`Invalid config: ${startDateProblem}`);
    // A check should answer in seconds, not wait out a long retry budget.
    const client = createClient({ ...settings, maxRetrySeconds: Math.min(settings.maxRetrySeconds, 8) }, airbyteLogger(out));
    await checkConnection(client, settings);
  });
}

export async function discoverCommand(configPath: string, out: LineWriter): Promise<number> {
  // The catalog is static, but a config that could never sync should fail here, where the user sets it up.
  await loadSettings(configPath);
  await out.write(catalogMessage(discoverStreams()));
  return 0;
}

export async function readCommand(options: { config: string; catalog?: string; state?: string; progress?: boolean }, out: LineWriter): Promise<number> {
  const logger = airbyteLogger(out);
  const reportProgress = progressReporter(options.progress);
  const settings = await loadSettings(options.config, { logger });
  const selected = options.catalog ? streamsFromConfiguredCatalog(await readJsonFile(options.catalog, 'catalog')) : undefined;
  const states = parseAirbyteState(options.state ? await readJsonFile(options.state, 'state') : undefined, logger);
  // Without a catalog (standalone use): profile_consent, incremental where a state says where to resume
  // (consent_events is read when a catalog selects it).
  if (!selected && [...states.keys()].some((stream) => stream !== DEFAULT_STREAM)) {
    logger.warn(`The state has an entry for ${[...states.keys()].filter((s) => s !== DEFAULT_STREAM).join(', ')}, which is read only when a catalog selects it; without --catalog, this run reads ${DEFAULT_STREAM} alone.`);
  }
  const streams: StreamRequest[] = (selected ?? [DEFAULT_STREAM].map((stream) => ({ stream, mode: states.has(stream) ? ('incremental' as const) : ('full_refresh' as const) }))).map(
    ({ stream, mode }) => ({ stream, mode, state: states.get(stream) }),
  );

  let exitCode = 0;
  let sinceState = 0;
  let running = false;
  for await (const event of runSync({ settings, streams, logger })) {
    switch (event.type) {
      case 'stream_started':
        sinceState = 0;
        running = false;
        await out.write(streamStatusMessage(event.stream, 'STARTED'));
        break;
      case 'records': {
        if (!running) {
          running = true;
          out.enqueue(streamStatusMessage(event.stream, 'RUNNING'));
        }
        sinceState += event.records.length;
        const emittedAt = Date.now();
        for (const record of event.records) out.enqueueLine(recordLine(event.stream, record, emittedAt));
        await out.flushIfFull();
        break;
      }
      case 'checkpoint':
        await out.write(streamStateMessage(event.stream, event.state, sinceState));
        sinceState = 0;
        // A state only protects what has reached the platform: send it now, not with the next batch.
        await out.flush();
        break;
      case 'rate_limited':
        // A status message keeps the platform's heartbeat fed while every request waits on Klaviyo.
        logger.info(`${event.stream}: waiting ${(event.waitMs / 1000).toFixed(1)} s for Klaviyo's rate limit (until ${new Date(event.untilMs).toISOString()})`);
        await out.write(streamStatusMessage(event.stream, 'RUNNING', [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: Math.round(event.untilMs) } }]));
        await out.flush();
        break;
      case 'progress':
        reportProgress(event.stream, event.progress);
        break;
      case 'stream_completed':
        await out.write(streamStatusMessage(event.stream, 'COMPLETE'));
        break;
      case 'stream_failed':
        logInternals(event.error);
        await out.write(streamStatusMessage(event.stream, 'INCOMPLETE'));
        await out.write(errorTraceMessage(event.error.message, event.error.failureType, { stream: event.stream }));
        exitCode = 1;
        break;
    }
  }
  return exitCode;
}
