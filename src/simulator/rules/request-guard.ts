import type { IncomingHttpHeaders } from 'node:http';
import { REVISION_PATTERN } from './api-contract.js';
import type { EndpointRateLimits, LimitedEndpoint } from './rate-limits.js';
import {
  authenticationFailed,
  invalidParameter,
  notAuthenticated,
  permissionDenied,
  throttled,
  type SimulatedResponse,
} from './error-responses.js';

const AUTHORIZATION = /^Klaviyo-API-Key (\S+)$/;

/**
 * The first two of Klaviyo's checks, shared by every endpoint: a known private key (401), holding
 * every scope the operation names (403). Undefined when the request may go on.
 */
export function checkCredentials(
  headers: IncomingHttpHeaders,
  apiKeys: ReadonlyMap<string, readonly string[]>,
  requiredScopes: readonly string[],
): SimulatedResponse | undefined {
  const authorization = AUTHORIZATION.exec(headers.authorization ?? '');
  if (!authorization) return notAuthenticated();
  const scopes = apiKeys.get(authorization[1] ?? '');
  if (!scopes) return authenticationFailed();
  const missing = requiredScopes.find((scope) => !scopes.includes(scope));
  return missing === undefined ? undefined : permissionDenied(missing);
}

/** The required `revision` header, checked after authentication and any rate limit. */
export function checkRevision(headers: IncomingHttpHeaders): SimulatedResponse | undefined {
  const revision = headers['revision'];
  if (typeof revision === 'string' && REVISION_PATTERN.test(revision)) return undefined;
  const detail =
    revision === undefined
      ? 'The revision header is required, in the format YYYY-MM-DD[.suffix], e.g. revision: 2026-07-15.'
      : `'${String(revision)}' is not a valid revision; use the format YYYY-MM-DD[.suffix].`;
  return invalidParameter('revision', detail);
}

export interface GuardContext {
  apiKeys: ReadonlyMap<string, readonly string[]>;
  limits: EndpointRateLimits;
}

export type Admission = { refused: SimulatedResponse } | { refused?: undefined; revision: string; rateHeaders: Record<string, string> };

/**
 * Klaviyo's checks before it reads a request's parameters, in its order: authentication, scopes, the
 * endpoint's rate limit (which depends on the revision asked for), the revision header.
 */
export function admit(
  headers: IncomingHttpHeaders,
  context: GuardContext,
  scopes: readonly string[],
  endpoint: LimitedEndpoint,
  now: number,
): Admission {
  const refused = checkCredentials(headers, context.apiKeys, scopes);
  if (refused) return { refused };
  const revision = typeof headers['revision'] === 'string' ? headers['revision'] : '';
  const decision = context.limits.tryAcquire(endpoint, revision, now);
  if (!decision.allowed) return { refused: throttled(decision.retryAfterSeconds) };
  const badRevision = checkRevision(headers);
  if (badRevision) return { refused: badRevision };
  return { revision, rateHeaders: decision.headers };
}
