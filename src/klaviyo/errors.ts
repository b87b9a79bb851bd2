import { ConfigError, ConnectorError, TransientError, type FailureType } from '../common/errors.js';
import type { KlaviyoErrorBody } from './types.js';

type KlaviyoError = KlaviyoErrorBody['errors'][number];

/** Klaviyo answered 404: a wrong base_url, or (for a job status probe) no such job. */
export class KlaviyoNotFoundError extends ConfigError {}

/** A request Klaviyo refused as invalid, with what it said, so a caller can react to a specific refusal. */
export class KlaviyoBadRequestError extends ConnectorError {
  constructor(
    message: string,
    /** The field Klaviyo named (`source.parameter`, else `source.pointer`), if any. */
    readonly field: string | undefined,
    /** Klaviyo refused the request's page cursor (expired or invalid): the scan can start that range again. */
    readonly cursorRefused: boolean,
    failureType: FailureType = 'system_error',
    /** What Klaviyo said, "code: detail (field ...)", for a report line. */
    readonly said?: string,
  ) {
    super(message, failureType);
  }
}

/** Klaviyo's page cursors expire; a scan that gets this can start again instead of failing the sync. */
export function isExpiredCursor(error: unknown): boolean {
  return error instanceof KlaviyoBadRequestError && error.cursorRefused;
}

function firstError(body: unknown): Partial<KlaviyoError> | undefined {
  const first = (body as Partial<KlaviyoErrorBody> | undefined)?.errors?.[0];
  return first && typeof first === 'object' ? first : undefined;
}

/**
 * The field a Klaviyo error names: `source.parameter` for a query parameter, or `source.pointer` (a JSON
 * pointer such as `/data/attributes/updated_at`) for a field of the body. Klaviyo's 400s use either; a
 * pointer at the document root (`/data/`, `/data`) names nothing.
 */
function fieldOf(error: Partial<KlaviyoError> | undefined): string | undefined {
  const source = error?.source;
  if (typeof source?.parameter === 'string' && source.parameter !== '') return source.parameter;
  if (typeof source?.pointer === 'string' && !/^\/?(data\/?)?$/.test(source.pointer)) return source.pointer;
  return undefined;
}

/** First error of Klaviyo's JSON:API error body, as "code: detail (field x)", or undefined for a body of another shape. */
export function describeErrorBody(body: unknown): string | undefined {
  const first = firstError(body);
  if (!first) return undefined;
  const field = fieldOf(first);
  // Klaviyo's details end with a full stop; the sentence this goes into adds its own.
  const detail = String(first.detail ?? first.title ?? '').replace(/\.+$/, '');
  return `${first.code ?? 'error'}: ${detail}${field ? ` (${first.source?.parameter ? 'parameter' : 'field'} ${field})` : ''}`;
}

/**
 * Whether a 400 refused the page cursor: Klaviyo answers an expired or invalid cursor with `code: invalid`,
 * `detail: "Invalid cursor provided."` and `source.pointer: "/data/"` (klaviyo-rules.md), naming no parameter;
 * so any 400 on a request that carried `page[cursor]` and says so in its detail counts, whatever `source` holds.
 */
function refusesCursor(body: unknown, url: string | undefined): boolean {
  const first = firstError(body);
  if (first?.source?.parameter === 'page[cursor]') return true;
  const carriedCursor = url !== undefined && new URL(url).searchParams.has('page[cursor]');
  return carriedCursor && /\bcursor\b/i.test(`${first?.detail ?? ''} ${first?.title ?? ''}`);
}

/** The read scope a request needs, from its name ("Get Events (...)" needs events:read). */
function scopeFor(what: string): string {
  if (/Get Metrics/.test(what)) return 'metrics:read';
  if (/Get Events/.test(what)) return 'events:read';
  if (/Get Lists/.test(what)) return 'lists:read';
  // "Bulk Suppress job status" is a read: tested before the job names it contains.
  if (/job status/.test(what)) return 'subscriptions:read';
  if (/Bulk (Subscribe|Unsubscribe)/.test(what)) return 'subscriptions:write, profiles:write and lists:write';
  if (/Bulk Suppress/.test(what)) return 'subscriptions:write and profiles:write';
  if (/Bulk Unsuppress/.test(what)) return 'subscriptions:write';
  return 'profiles:read';
}

function wayAroundMissingScope(scope: string): string {
  if (scope === 'metrics:read' || scope === 'events:read') {
    return " Or set consent_events to false to sync without the consent-event detector (then a consent change that does not move a profile's updated waits for the periodic full pass, so keep full_resync_days above 0).";
  }
  if (scope === 'lists:read') {
    return ' Or set max_lists_to_scan to 0 (and keep consent_events on): list unsubscribes are then caught by their "Unsubscribed from List" consent events instead of one request per list.';
  }
  return '';
}

/** Turns a final (not retried) HTTP failure into an error a person can act on. `url`: the request's, if known. */
export function errorForStatus(status: number, body: unknown, what: string, url?: string): ConnectorError {
  const klaviyoSays = describeErrorBody(body);
  const said = klaviyoSays ? ` Klaviyo said: ${klaviyoSays}.` : '';
  switch (status) {
    case 401:
      return new ConfigError(
        `Klaviyo rejected the API key (HTTP 401) for ${what}. Check api_key: it must be a private API key (pk_...) of this Klaviyo account that has not been revoked (Settings > API keys).${said}`,
      );
    case 403: {
      const scope = scopeFor(what);
      return new ConfigError(
        `The API key is not allowed to make ${what} (HTTP 403). In Klaviyo, Settings > API keys, give the key the ${scope} scope${scope.includes(' and ') ? 's' : ''}, or use a full-access private key.${wayAroundMissingScope(scope)}${said}`,
      );
    }
    case 400: {
      const field = fieldOf(firstError(body));
      if (refusesCursor(body, url)) {
        return new KlaviyoBadRequestError(
          `Klaviyo refused a page cursor for ${what} (it expired or became invalid) and kept refusing after the scan restarted.${said} Run the sync again; it resumes from the last state.`,
          field,
          true,
          'transient_error',
        );
      }
      return new KlaviyoBadRequestError(
        `Klaviyo refused the request for ${what} as invalid (HTTP 400).${said} If you changed revision, try the default 2026-07-15; otherwise this is a bug in the connector, please report it.`,
        field,
        false,
        'system_error',
        klaviyoSays,
      );
    }
    case 404:
      return new KlaviyoNotFoundError(`Klaviyo answered 404 Not Found for ${what}. Check base_url (default https://a.klaviyo.com).${said}`);
    default:
      if (status === 429 || status >= 500) {
        return new TransientError(`Klaviyo kept failing for ${what} (last answer: HTTP ${status}); retries were exhausted. Run the sync again later; it resumes from the last state.${said}`);
      }
      return new ConnectorError(`Klaviyo answered HTTP ${status} for ${what}.${said}`, 'system_error');
  }
}
