import type { KlaviyoClient } from './client.js';
import { profilePages } from './profiles.js';
import type { ProfileResource } from './types.js';

/** Klaviyo documents no maximum for `any(...)`; public clients send 50 to 100 values for the URL's sake. */
const VALUES_PER_LOOKUP = 100;
/** Lookups in flight at once; the rate limiter paces them. */
const LOOKUPS_IN_FLIGHT = 8;

export type LookupField = 'id' | 'email' | 'phone_number' | 'external_id';

/**
 * The profiles whose `field` is one of `values`, with their subscriptions: Get Profiles `any(field, [...])`,
 * 100 values a request. Emails are matched without regard to case, as Klaviyo matches them.
 */
export async function lookupProfiles(client: KlaviyoClient, field: LookupField, values: readonly string[]): Promise<Map<string, ProfileResource>> {
  const found = new Map<string, ProfileResource>();
  const unique = [...new Set(values)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += VALUES_PER_LOOKUP) chunks.push(unique.slice(i, i + VALUES_PER_LOOKUP));
  // Several at once, so that Klaviyo's latency, not only its rate limit, does not set the pace of a batch.
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < chunks.length && !failed) {
      const chunk = chunks[next++] as string[];
      const filter = `any(${field},[${chunk.map((value) => JSON.stringify(value)).join(',')}])`;
      for await (const page of profilePages(client, { filter, pageSize: 100 }, `Get Profiles (by ${field})`)) {
        for (const profile of page.data) {
          const value = field === 'id' ? profile.id : profile.attributes[field];
          if (typeof value === 'string') found.set(keyOf(field, value), profile);
        }
      }
    }
  };
  // One failed lookup fails the batch; the other workers stop taking chunks rather than spend rate limit on it.
  const stopOnFailure = (error: unknown) => {
    failed = true;
    throw error;
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, chunks.length) }, () => worker().catch(stopOnFailure)));
  return found;
}

/** The map key of a looked-up value: emails in lower case. */
export function keyOf(field: LookupField, value: string): string {
  return field === 'email' ? value.toLowerCase() : value;
}
