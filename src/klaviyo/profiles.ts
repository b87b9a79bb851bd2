import type { KlaviyoClient } from './client.js';
import { jsonApiPages, type JsonApiPage } from './pages.js';
import type { ProfileResource } from './types.js';

export interface ProfileQuery {
  /** Klaviyo filter expression, e.g. `greater-than(updated,2024-01-01T00:00:00Z)`. */
  filter?: string;
  sort?: string;
  pageSize: number;
}

/**
 * Only the attributes the record uses: custom properties, names and location can dwarf the consent data on
 * real accounts, and every byte not sent is neither parsed nor held in memory.
 */
export const PROFILE_FIELDS = ['email', 'phone_number', 'external_id', 'created', 'updated', 'subscriptions'];

/** First-page URL of Get Profiles with subscriptions (never predictive_analytics: it cuts the limit to 10/s). */
export function profilesUrl(client: KlaviyoClient, query: ProfileQuery): string {
  return client.url('/api/profiles', {
    'additional-fields[profile]': 'subscriptions',
    'fields[profile]': PROFILE_FIELDS.join(','),
    'page[size]': query.pageSize,
    sort: query.sort,
    filter: query.filter,
  });
}

/** Pages of Get Profiles for a query. */
export function profilePages(client: KlaviyoClient, query: ProfileQuery, what = 'Get Profiles', signal?: AbortSignal): AsyncGenerator<JsonApiPage<ProfileResource>> {
  return jsonApiPages<ProfileResource>(client, profilesUrl(client, query), what, signal);
}
