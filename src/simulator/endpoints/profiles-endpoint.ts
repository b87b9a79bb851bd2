import type { IncomingHttpHeaders } from 'node:http';
import { REQUIRED_SCOPE } from '../rules/api-contract.js';
import type { CursorPolicy } from '../rules/cursor.js';
import type { SimulatedResponse } from '../rules/error-responses.js';
import type { GuardContext } from '../rules/request-guard.js';
import { readEndpoint } from './read-endpoint.js';
import type { ProfileStore } from '../store/profile-store.js';
import { collectionLinks } from './collection-links.js';
import { selectPage } from './page-selector.js';
import { profileResource } from './profile-resource.js';
import { parseProfilesQuery, type ProfilesQuery } from './profiles-query.js';

export interface EndpointContext extends GuardContext {
  store: ProfileStore;
  baseUrl: string;
  /** Which cursors are still valid (see rules/cursor.ts). */
  cursors: CursorPolicy;
}

/** GET /api/profiles, checked in Klaviyo's order: authentication, scope, rate limit, revision, parameters. */
export function getProfiles(request: { url: string; headers: IncomingHttpHeaders }, context: EndpointContext, now: number): SimulatedResponse {
  return readEndpoint(request, context, { scope: REQUIRED_SCOPE, endpoint: 'profiles', now }, (url) =>
    pageBody(context, url, parseProfilesQuery(url.searchParams, context.cursors)),
  );
}

function pageBody(context: EndpointContext, url: URL, query: ProfilesQuery): string {
  const page = selectPage(context.store, query);
  const links = collectionLinks(context.baseUrl, url, page.next, context.cursors);
  // Everything that changes how a resource is serialized.
  const shape = JSON.stringify([[...query.additionalFields].sort(), query.profileFields ?? null, query.include, context.baseUrl]);
  const data = page.slots.map((slot) => context.store.serializedResource(slot, shape, () => JSON.stringify(profileResource(context.store, slot, query, context.baseUrl))));
  // No conversations or push tokens are simulated, so an include adds an empty compound list.
  const included = query.include.length > 0 ? ',"included":[]' : '';
  return `{"data":[${data.join(',')}],"links":${JSON.stringify(links)}${included}}`;
}
