import { ConfigError, ConnectorError, TransientError, type FailureType } from '../common/errors.js';
import type { KlaviyoErrorBody } from './types.js';

/** A request Klaviyo refused as invalid, with the parameter it named, so a caller can react to a specific one. */
export class KlaviyoBadRequestError extends ConnectorError {
  constructor(
    message: string,
    readonly parameter: string | undefined,
    failureType: FailureType = 'system_error',
  ) {
    super(message, failureType);
  }
}

/** Klaviyo's page cursors expire; a scan that gets this can start again instead of failing the sync. */
export function isExpiredCursor(error: unknown): boolean {
  return error instanceof KlaviyoBadRequestError && error.parameter === 'page[cursor]';
}

/** First error of Klaviyo's JSON:API error body, as "code: detail", or undefined for a body of another shape. */
export function describeErrorBody(body: unknown): string | undefined {
  const first = (body as Partial<KlaviyoErrorBody> | undefined)?.errors?.[0];
  if (!first || typeof first !== 'object') return undefined;
  const parameter = first.source?.parameter ? ` (parameter ${first.source.parameter})` : '';
  return `${first.code ?? 'error'}: ${first.detail ?? first.title ?? ''}${parameter}`;
}

/** The read scope a request needs, from its name ("Get Events (...)" needs events:read). */
function scopeFor(what: string): string {
  if (/Get Metrics/.test(what)) return 'metrics:read';
  if (/Get Events/.test(what)) return 'events:read';
  return 'profiles:read';
}

/** Turns a final (not retried) HTTP failure into an error a person can act on. */
export function errorForStatus(status: number, body: unknown, what: string): ConnectorError {
  const klaviyoSays = describeErrorBody(body);
  const said = klaviyoSays ? ` Klaviyo said: ${klaviyoSays}.` : '';
  switch (status) {
    case 401:
      return new ConfigError(
        `Klaviyo rejected the API key (HTTP 401) for ${what}. Check api_key: it must be a private API key (pk_...) of this Klaviyo account that has not been revoked (Settings > API keys).${said}`,
      );
    case 403: {
      const scope = scopeFor(what);
      const way = scope === 'profiles:read' ? '' : ' Or set consent_events to false to sync without the consent-event detector (then a consent change that does not move a profile\'s updated waits for the periodic full pass, so keep full_resync_days above 0).';
      return new ConfigError(
        `The API key is not allowed to make ${what} (HTTP 403). In Klaviyo, Settings > API keys, give the key the ${scope} scope, or use a full-access private key.${way}${said}`,
      );
    }
    case 400:
      if ((body as Partial<KlaviyoErrorBody> | undefined)?.errors?.[0]?.source?.parameter === 'page[cursor]') {
        return new KlaviyoBadRequestError(`Klaviyo refused a page cursor for ${what} (it expired or became invalid) and kept refusing after the scan restarted.${said} Run the sync again; it resumes from the last state.`, 'page[cursor]', 'transient_error');
      }
      return new KlaviyoBadRequestError(
        `Klaviyo refused the request for ${what} as invalid (HTTP 400).${said} If you changed revision, try the default 2026-07-15; otherwise this is a bug in the connector, please report it.`,
        (body as Partial<KlaviyoErrorBody> | undefined)?.errors?.[0]?.source?.parameter,
      );
    case 404:
      return new ConfigError(`Klaviyo answered 404 Not Found for ${what}. Check base_url (default https://a.klaviyo.com).${said}`);
    default:
      if (status === 429 || status >= 500) {
        return new TransientError(`Klaviyo kept failing for ${what} (last answer: HTTP ${status}); retries were exhausted. Run the sync again later; it resumes from the last state.${said}`);
      }
      return new ConnectorError(`Klaviyo answered HTTP ${status} for ${what}.${said}`, 'system_error');
  }
}
