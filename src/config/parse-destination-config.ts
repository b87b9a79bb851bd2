import type { ValidateFunction } from 'ajv';
import { ConfigError } from '../common/errors.js';
import { readPackageJson } from '../common/package-files.js';
import type { DestinationConfig } from '../generated/destination-config.js';
import generatedValidate from '../generated/validate-destination-config.js';
import { CONFIG_FILE, connectionProblems, schemaChecked, unknownSettingsOf, type ConfigSource } from './config-problems.js';

const specDocument = readPackageJson('destination-spec.json') as { connectionSpecification: { properties: Record<string, { description?: string }> } };
export const destinationSpecification = specDocument.connectionSpecification;
export const DESTINATION_SETTINGS: readonly string[] = Object.keys(destinationSpecification.properties);

// Compiled from destination-spec.json at build time; it also fills in the defaults.
const validate = generatedValidate as unknown as ValidateFunction<DestinationConfig>;
const KEY_SCOPE = 'the profiles:read, profiles:write, subscriptions:write and lists:write scopes';

/** The destination's settings after validation, with defaults applied. */
export interface DestinationSettings {
  apiKey: string;
  baseUrl: string;
  revision: string;
  mode: 'update_or_create' | 'update_only';
  listId: string | undefined;
  historicalImport: boolean;
  dryRun: boolean;
  verify: boolean;
  verifyTimeoutSeconds: number;
  reportPath: string | undefined;
  requestsPerSecond: number;
  requestsPerMinute: number;
  maxRetrySeconds: number;
  requestTimeoutSeconds: number;
}

export function destinationUnknownSettings(raw: Record<string, unknown>, source: ConfigSource = CONFIG_FILE): string[] {
  return unknownSettingsOf(raw, DESTINATION_SETTINGS, source);
}

/** Validates the destination's config, reporting every problem at once (see parseConfig). */
export function parseDestinationConfig(raw: unknown, options: { source?: ConfigSource; strict?: boolean } = {}): DestinationSettings {
  const source = options.source ?? CONFIG_FILE;
  const { config, problems } = schemaChecked(raw, validate, destinationSpecification.properties, { source, keyScope: KEY_SCOPE });
  const c = config as DestinationConfig;
  const baseUrl = connectionProblems(c, problems, KEY_SCOPE);
  const messages = problems.map(([key, text]) => `${source.name(key)}: ${text}`);
  if (options.strict) messages.push(...destinationUnknownSettings(config, source));
  else {
    // A writer does not guess: a mistyped dry_run or mode would change what is written. A key close to a setting
    // stops the run even where an unknown key is otherwise only a warning (a platform's own keys are not close).
    const typos = unknownSettingsOf(config, DESTINATION_SETTINGS, source, true);
    if (typos.length > 0) messages.push(...typos, 'A mistyped setting changes what is written to Klaviyo, so the run stops rather than guess.');
  }
  if (messages.length > 0) throw new ConfigError(`Invalid config: ${messages.join(' ')}`);
  return {
    apiKey: (c.api_key as string).trim(),
    baseUrl,
    revision: c.revision as string,
    mode: c.mode as DestinationSettings['mode'],
    listId: c.list_id,
    historicalImport: c.historical_import as boolean,
    dryRun: c.dry_run as boolean,
    verify: c.verify as boolean,
    verifyTimeoutSeconds: c.verify_timeout_seconds as number,
    reportPath: c.report_path,
    requestsPerSecond: c.requests_per_second as number,
    requestsPerMinute: c.requests_per_minute as number,
    maxRetrySeconds: c.max_retry_seconds as number,
    requestTimeoutSeconds: c.request_timeout_seconds as number,
  };
}
