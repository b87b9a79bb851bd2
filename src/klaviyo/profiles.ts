import type { KlaviyoClient } from './client.js';
import type { ProfilesPage } from './types.js';

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

/**
 * Pages of Get Profiles, following `links.next` until Klaviyo gives none. Each page carries the URL it came
 * from and the next one, so a caller can checkpoint and resume mid-scan.
 */
export async function* profilePages(client: KlaviyoClient, query: ProfileQuery): AsyncGenerator<ProfilesPage> {
  let url: string | undefined = profilesUrl(client, query);
  const seen = new Set<string>();
  while (url) {
    // A server that hands back a cursor we already followed would loop forever.
    if (seen.has(url)) throw new Error(`Klaviyo returned a next link already followed (${url}); stopping to avoid an endless loop.`);
    seen.add(url);
    if (seen.size > 10_000) seen.clear();
    const page: ProfilesPage = await client.getJson<ProfilesPage>(url, 'Get Profiles');
    if (!page || !Array.isArray(page.data)) throw new Error('Get Profiles answered without a data array.');
    yield page;
    url = page.links?.next ?? undefined;
  }
}
