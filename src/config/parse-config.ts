import type { ValidateFunction } from 'ajv';
import { parseDateTime } from '../common/datetime.js';
import { ConfigError } from '../common/errors.js';
import { readPackageJson } from '../common/package-files.js';
import type { Config } from '../generated/config.js';
import generatedValidateConfig from '../generated/validate-config.js';
import { CONFIG_FILE, connectionProblems, schemaChecked, unknownSettingsOf, type ConfigSource } from './config-problems.js';
import type { Settings } from './settings.js';

const specDocument = readPackageJson('spec.json') as { connectionSpecification: Record<string, unknown> };
export const connectionSpecification = specDocument.connectionSpecification;

// Compiled from spec.json at build time (scripts/generate-validators.mjs); it also fills in the defaults.
const validateConfig = generatedValidateConfig as unknown as ValidateFunction<Config>;

export { CONFIG_FILE, type ConfigSource } from './config-problems.js';

/** Every setting spec.json defines. */
export const KNOWN_SETTINGS: readonly string[] = Object.keys(connectionSpecification.properties as object);
const PROPERTIES = connectionSpecification.properties as Record<string, { description?: string }>;
const KEY_SCOPE = 'the profiles:read scope';

/** "start_dat: unknown setting; did you mean start_date?", named as the source names settings. */
export function unknownSettingMessages(raw: Record<string, unknown>, source: ConfigSource = CONFIG_FILE): string[] {
  return unknownSettingsOf(raw, KNOWN_SETTINGS, source);
}

/**
 * Validates a config object against spec.json and the rules JSON Schema cannot say, and returns every problem
 * at once: a person fixing a config at 3 a.m. should not have to run the connector once per typo. With
 * `strict`, a key no setting has is a problem too (check); otherwise the caller warns about it (read), as a
 * platform may add keys of its own.
 */
export function parseConfig(raw: unknown, options: { source?: ConfigSource; strict?: boolean } = {}): Settings {
  const source = options.source ?? CONFIG_FILE;
  const { config, problems } = schemaChecked(raw, validateConfig, PROPERTIES, {
    source,
    keyScope: KEY_SCOPE,
    // start_date gets a sharper message below, from the parser that also catches 2024-02-31.
    skip: (error) => error.instancePath === '/start_date' && error.keyword === 'pattern',
  });
  const c = config as Config;

  let startDateMs: number | undefined;
  if (typeof c.start_date === 'string' && c.start_date.trim() !== '') {
    const parsed = parseDateTime(c.start_date);
    if (!parsed) {
      problems.push(['start_date', 'not a valid date. Use RFC 3339 (2024-01-31T00:00:00Z) or a plain date (2024-01-31).']);
    } else {
      startDateMs = parsed.secondsMs;
    }
  }
  const baseUrl = connectionProblems(c, problems, KEY_SCOPE);

  const messages = problems.map(([key, text]) => `${source.name(key)}: ${text}`);
  if (options.strict) messages.push(...unknownSettingMessages(config, source));
  if (messages.length > 0) {
    throw new ConfigError(`Invalid config: ${messages.join(' ')}`);
  }
  return {
    apiKey: (c.api_key as string).trim(),
    startDateMs,
    revision: c.revision as string,
    baseUrl,
    pageSize: c.page_size as number,
    concurrency: c.concurrency as number,
    requestsPerSecond: c.requests_per_second as number,
    requestsPerMinute: c.requests_per_minute as number,
    maxRetrySeconds: c.max_retry_seconds as number,
    requestTimeoutSeconds: c.request_timeout_seconds as number,
    consentEvents: c.consent_events as boolean,
    fullResyncDays: c.full_resync_days as number,
    lookbackSeconds: c.lookback_seconds as number,
    maxListsToScan: c.max_lists_to_scan as number,
  };
}
