import type { IncomingHttpHeaders } from 'node:http';
import { REQUIRED_SCOPE, REVISION_PATTERN } from './api-contract.js';
import { encodeCursor } from './cursor.js';
import {
  JSON_API,
  authenticationFailed,
  invalidParameter,
  notAuthenticated,
  permissionDenied,
  throttled,
  type SimulatedResponse,
} from './error-responses.js';
import { selectPage } from './page-selector.js';
import { profileResource } from './profile-resource.js';
import type { ProfileStore } from './profile-store.js';
import { parseProfilesQuery, type ProfilesQuery } from './profiles-query.js';
import { QueryError } from './query-error.js';
import type { SlidingWindowLimiter } from './rate-limiter.js';

export interface EndpointContext {
  store: ProfileStore;
  apiKeys: ReadonlyMap<string, readonly string[]>;
  limiter: SlidingWindowLimiter;
  baseUrl: string;
}

const AUTHORIZATION = /^Klaviyo-API-Key (\S+)$/;

/** GET /api/profiles, checked in Klaviyo's order: authentication, scope, rate limit, revision, parameters. */
export function getProfiles(
  request: { url: string; headers: IncomingHttpHeaders },
  context: EndpointContext,
  now: number,
): SimulatedResponse {
  const authorization = AUTHORIZATION.exec(request.headers.authorization ?? '');
  if (!authorization) return notAuthenticated();
  const scopes = context.apiKeys.get(authorization[1] ?? '');
  if (!scopes) return authenticationFailed();
  if (!scopes.includes(REQUIRED_SCOPE)) return permissionDenied();

  const decision = context.limiter.tryAcquire(now);
  if (!decision.allowed) return throttled(decision.retryAfterSeconds);

  const revision = request.headers['revision'];
  if (typeof revision !== 'string' || !REVISION_PATTERN.test(revision)) {
    const detail =
      revision === undefined
        ? 'The revision header is required, in the format YYYY-MM-DD[.suffix], e.g. revision: 2026-07-15.'
        : `'${String(revision)}' is not a valid revision; use the format YYYY-MM-DD[.suffix].`;
    return invalidParameter('revision', detail);
  }

  const url = new URL(request.url, context.baseUrl);
  let query: ProfilesQuery;
  let body: string;
  try {
    query = parseProfilesQuery(url.searchParams);
    body = pageBody(context, url, query);
  } catch (error) {
    if (error instanceof QueryError) return invalidParameter(error.parameter, error.detail);
    throw error;
  }
  return { status: 200, headers: { 'Content-Type': JSON_API, ...decision.headers }, body };
}

function pageBody(context: EndpointContext, url: URL, query: ProfilesQuery): string {
  const page = selectPage(context.store, query);
  // Both links are re-encoded, so brackets and commas arrive percent-encoded as in Klaviyo's links
  // and the values are valid `uri`s whatever the client sent.
  const self = url.searchParams.size > 0 ? `${url.pathname}?${url.searchParams.toString()}` : url.pathname;
  const links: { self: string; next?: string } = { self: `${context.baseUrl}${self}` };
  if (page.next) {
    const params = new URLSearchParams(url.searchParams);
    params.set('page[cursor]', encodeCursor(page.next));
    links.next = `${context.baseUrl}${url.pathname}?${params.toString()}`;
  }
  // Everything that changes how a resource is serialized.
  const shape = JSON.stringify([[...query.additionalFields].sort(), query.profileFields ?? null, query.include, context.baseUrl]);
  const data = page.slots.map((slot) => context.store.serializedResource(slot, shape, () => JSON.stringify(profileResource(context.store, slot, query, context.baseUrl))));
  // No conversations or push tokens are simulated, so an include adds an empty compound list.
  const included = query.include.length > 0 ? ',"included":[]' : '';
  return `{"data":[${data.join(',')}],"links":${JSON.stringify(links)}${included}}`;
}
