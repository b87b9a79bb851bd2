// What the source's and the destination's configs share: how a problem is named (by file key or variable),
// how a schema error reads, and the checks of the connection settings (api_key, revision, base_url) that JSON
// Schema cannot say.
import type { ErrorObject } from 'ajv';
import { ConfigError } from '../common/errors.js';
import { registerSecret } from '../common/redact.js';
import { OLDEST_SUPPORTED_REVISION, revisionAtLeast } from '../klaviyo/revisions.js';
import { unknownSettings } from './unknown-settings.js';

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

export type Problem = [key: string, text: string];

type Properties = Record<string, { description?: string }>;

/** One schema error as a problem naming its field, with the setting's description where it helps. */
export function describeSchemaError(error: ErrorObject, properties: Properties, source: ConfigSource, keyScope: string): Problem {
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || (error.params as { missingProperty?: string }).missingProperty || 'config';
  const property = properties[field.split('.')[0] ?? ''];
  switch (error.keyword) {
    case 'required':
      return [field, `missing. ${source.howToAdd(field)}${field === 'api_key' ? ` It is a Klaviyo private API key (pk_...) with ${keyScope}.` : ''}`];
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
    case 'enum':
      return [field, `must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}.`];
    default:
      return [field, `${error.message ?? 'is invalid'}.`];
  }
}

/**
 * A config object checked against its compiled schema: the copy to read (defaults filled in), and a problem per
 * schema error that `skip` does not take over. The API key is registered as a secret before anything can print it.
 */
export function schemaChecked(
  raw: unknown,
  validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null },
  properties: Properties,
  options: { source: ConfigSource; keyScope: string; skip?: (error: ErrorObject) => boolean },
): { config: Record<string, unknown>; problems: Problem[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object, like {"api_key": "pk_..."}.');
  }
  const config = structuredClone(raw) as Record<string, unknown>;
  registerSecret(config.api_key);
  const problems: Problem[] = [];
  if (!validate(config)) {
    for (const error of validate.errors ?? []) if (!options.skip?.(error)) problems.push(describeSchemaError(error, properties, options.source, options.keyScope));
  }
  return { config, problems };
}

/**
 * "start_dat: unknown setting; did you mean start_date?", named as the source names settings. With
 * `likelyTyposOnly`, only the keys close to a setting (a platform's own keys are not).
 */
export function unknownSettingsOf(raw: Record<string, unknown>, known: readonly string[], source: ConfigSource = CONFIG_FILE, likelyTyposOnly = false): string[] {
  return unknownSettings(raw, known).filter(({ suggestion }) => !likelyTyposOnly || suggestion !== undefined).map(({ key, suggestion }) =>
    suggestion === undefined
      ? `${source.name(key)}: unknown setting; the settings are ${known.join(', ')}.`
      : `${source.name(key)}: unknown setting; did you mean ${source.name(suggestion)}?`,
  );
}

const REVISION_SHAPE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/**
 * The checks of api_key, revision and base_url beyond their schema; adds to `problems` and returns the
 * base URL to use (origin and path, no trailing slash).
 */
export function connectionProblems(c: { api_key?: unknown; revision?: unknown; base_url?: unknown }, problems: Problem[], keyScope: string): string {
  if (typeof c.api_key === 'string') {
    const key = c.api_key.trim();
    if (/^[A-Za-z0-9]{6}$/.test(key)) {
      problems.push(['api_key', `this is a public API key (site id), which cannot be used here. Use a private API key (pk_...) with ${keyScope}, from Settings > API keys.`]);
    } else if (key.length > 0 && /\s/.test(key)) {
      problems.push(['api_key', 'contains whitespace. Copy the private key again without spaces or line breaks.']);
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
  return baseUrl;
}
