import type { KlaviyoClient } from './client.js';
import { profilePages } from './profiles.js';
import { fanIn } from '../common/fan-in.js';
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
  const pages = fanIn<string[], ProfileResource[]>(chunks, { width: LOOKUPS_IN_FLIGHT, stopReason: 'the lookup stopped' }, async (chunk, put, signal) => {
    const filter = `any(${field},[${chunk.map((value) => JSON.stringify(value)).join(',')}])`;
    for await (const page of profilePages(client, { filter, pageSize: 100 }, `Get Profiles (by ${field})`, signal)) await put(page.data);
  });
  for await (const page of pages) {
    for (const profile of page) {
      const value = field === 'id' ? profile.id : profile.attributes[field];
      if (typeof value === 'string') found.set(keyOf(field, value), profile);
    }
  }
  return found;
}

/** The map key of a looked-up value: emails in lower case. */
export function keyOf(field: LookupField, value: string): string {
  return field === 'email' ? value.toLowerCase() : value;
}
