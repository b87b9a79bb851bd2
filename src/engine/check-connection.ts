import type { Settings } from '../config/settings.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { eventsPageSize } from '../klaviyo/events.js';
import { profilesUrl } from '../klaviyo/profiles.js';

/**
 * One small request to every endpoint a sync with these settings will call, so that a wrong key, a missing
 * scope or an unreachable base_url fails at setup, naming what to fix, rather than hours into a sync.
 * Returns the requests made, in order.
 */
export async function checkConnection(client: KlaviyoClient, settings: Settings): Promise<string[]> {
  const made: string[] = [];
  const probe = async (url: string, what: string) => {
    await client.getJson(url, `the connection check (${what})`);
    made.push(what);
  };
  await probe(profilesUrl(client, { pageSize: 1 }), 'Get Profiles');
  if (settings.consentEvents) {
    // The consent-event detector needs metrics:read and events:read.
    await probe(client.url('/api/metrics'), 'Get Metrics');
    await probe(client.url('/api/events', eventsPageSize(client, 1)), 'Get Events');
  }
  // Detector 2 lists the account's lists (lists:read) unless max_lists_to_scan is 0.
  if (settings.maxListsToScan > 0) await probe(client.url('/api/lists', { 'page[size]': 1 }), 'Get Lists');
  return made;
}
