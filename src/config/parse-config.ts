import type { ErrorObject, ValidateFunction } from 'ajv';
import { parseDateTime } from '../common/datetime.js';
import { ConfigError } from '../common/errors.js';
import { readPackageJson } from '../common/package-files.js';
import { registerSecret } from '../common/redact.js';
import type { Config } from '../generated/config.js';
import generatedValidateConfig from '../generated/validate-config.js';
import { OLDEST_SUPPORTED_REVISION, revisionAtLeast } from '../klaviyo/revisions.js';
import type { Settings } from './settings.js';
import { unknownSettings } from './unknown-settings.js';

const specDocument = readPackageJson('spec.json') as { connectionSpecification: Record<string, unknown> };
export const connectionSpecification = specDocument.connectionSpecification;

// Compiled from spec.json at build time (scripts/generate-validators.mjs); it also fills in the defaults.
const validateConfig = generatedValidateConfig as unknown as ValidateFunction<Config>;

const REVISION_SHAPE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Where a config came from, so that messages name what the user wrote: a file's key, or a variable. */
export interface ConfigSource {
  /** How to name a setting in a message: `page_size`, or `TAP_KLAVIYO_CONSENT_PAGE_SIZE (page_size)`. */
  name(key: string): string;
  /** How to add a missing setting. */
  howToAdd(key: string): string;
}

export const CONFIG_FILE: ConfigSource = {
  name: (key) => key,
  howToAdd: (key) => `Add "${key}" to the config file.`,
};

/** Every setting spec.json defines. */
export const KNOWN_SETTINGS: readonly string[] = Object.keys(connectionSpecification.properties as object);

type Problem = [key: string, text: string];

function describe(error: ErrorObject, source: ConfigSource): Problem {
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || (error.params as { missingProperty?: string }).missingProperty || 'config';
  const property = (connectionSpecification.properties as Record<string, { description?: string }>)[field.split('.')[0] ?? ''];
  switch (error.keyword) {
    case 'required':
      return [field, `missing. ${source.howToAdd(field)}${field === 'api_key' ? ' It is a Klaviyo private API key (pk_...) with the profiles:read scope.' : ''}`];
    case 'type':
      return [field, `must be ${error.params.type === 'integer' ? 'a whole number' : `a ${String(error.params.type)}`}.`];
    case 'pattern':
      return [field, `has an unexpected format. ${property?.description ?? ''}`.trim()];
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return [field, `${error.message ?? 'out of range'}. ${property?.description ?? ''}`.trim()];
    case 'minLength':
      return [field, 'must not be empty.'];
    default:
      return [field, `${error.message ?? 'is invalid'}.`];
  }
}

/** "start_dat: unknown setting; did you mean start_date?", named as the source names settings. */
export function unknownSettingMessages(raw: Record<string, unknown>, source: ConfigSource = CONFIG_FILE): string[] {
  return unknownSettings(raw, KNOWN_SETTINGS).map(({ key, suggestion }) =>
    suggestion === undefined
      ? `${source.name(key)}: unknown setting; the settings are ${KNOWN_SETTINGS.join(', ')}.`
      : `${source.name(key)}: unknown setting; did you mean ${source.name(suggestion)}?`,
  );
}

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/**
 * Validates a config object against spec.json and the rules JSON Schema cannot say, and returns every problem
 * at once: a person fixing a config at 3 a.m. should not have to run the connector once per typo. With
 * `strict`, a key no setting has is a problem too (check); otherwise the caller warns about it (read), as a
 * platform may add keys of its own.
 */
export function parseConfig(raw: unknown, options: { source?: ConfigSource; strict?: boolean } = {}): Settings {
  const source = options.source ?? CONFIG_FILE;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object, like {"api_key": "pk_..."}.');
  }
  const config = structuredClone(raw) as Record<string, unknown>;
  registerSecret(config.api_key);
  const problems: Problem[] = [];
  if (!validateConfig(config)) {
    for (const error of validateConfig.errors ?? []) {
      // start_date gets a sharper message below, from the parser that also catches 2024-02-31.
      if (error.instancePath === '/start_date' && error.keyword === 'pattern') continue;
      problems.push(describe(error, source));
    }
  }
  const c = config as Config;

  if (typeof c.api_key === 'string') {
    const key = c.api_key.trim();
    if (/^[A-Za-z0-9]{6}$/.test(key)) {
      problems.push(['api_key', 'this is a public API key (site id), which cannot read profiles. Use a private API key (pk_...) with the profiles:read scope, from Settings > API keys.']);
    } else if (key.length > 0 && /\s/.test(key)) {
      problems.push(['api_key', 'contains whitespace. Copy the private key again without spaces or line breaks.']);
    }
  }

  let startDateMs: number | undefined;
  if (typeof c.start_date === 'string' && c.start_date.trim() !== '') {
    const parsed = parseDateTime(c.start_date);
    if (!parsed) {
      problems.push(['start_date', 'not a valid date. Use RFC 3339 (2024-01-31T00:00:00Z) or a plain date (2024-01-31).']);
    } else {
      startDateMs = parsed.secondsMs;
    }
  }

  if (typeof c.revision === 'string' && REVISION_SHAPE.test(c.revision) && !revisionAtLeast(c.revision, OLDEST_SUPPORTED_REVISION)) {
    problems.push([
      'revision',
      `${c.revision} is older than the oldest revision this connector supports (${OLDEST_SUPPORTED_REVISION}); Klaviyo retires a revision two years after its release. Use ${OLDEST_SUPPORTED_REVISION} or later, or leave revision out for the default (2026-07-15).`,
    ]);
  }

  let baseUrl = 'https://a.klaviyo.com';
  if (typeof c.base_url === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(c.base_url);
    } catch {
      problems.push(['base_url', `"${c.base_url}" is not a URL. Use https://a.klaviyo.com (the default) or your proxy's https:// URL.`]);
    }
    if (url) {
      if (url.protocol === 'http:' && !isLoopback(url)) {
        problems.push(['base_url', `plain http:// is refused for ${url.hostname}, because the API key would travel unencrypted. Use https://, or a loopback host (127.0.0.1) for a local simulator.`]);
      } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        problems.push(['base_url', `the scheme ${url.protocol} is not supported. Use https://.`]);
      } else if (url.username || url.password) {
        problems.push(['base_url', 'must not contain a user name or password; the API key is the only credential.']);
      } else if (url.search || url.hash) {
        problems.push(['base_url', 'must not contain a query string or fragment.']);
      }
      baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    }
  }

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
