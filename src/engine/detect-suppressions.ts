import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { listIds } from '../klaviyo/lists.js';
import { restartingOnExpiredCursor } from '../klaviyo/pages.js';
import { profilePages } from '../klaviyo/profiles.js';
import type { ProfileResource } from '../klaviyo/types.js';
import { firstSightings } from './emit-once.js';
import type { DetectorOutput } from './scan-updated-ranges.js';

const GLOBAL_TIMESTAMP = 'subscriptions.email.marketing.suppression.timestamp';
const LIST_TIMESTAMP = 'subscriptions.email.marketing.list_suppressions.timestamp';
const LIST_ID = 'subscriptions.email.marketing.list_suppressions.list_id';

/** When detector 2 reads list suppressions one list at a time (see planListScan). */
export interface ListScanPolicy {
  /** Scan every list whatever their number: nothing else catches a list unsubscribe before the full pass. */
  always: boolean;
  /** Otherwise scan only when the account has at most this many lists (0: never). */
  maxLists: number;
}

/**
 * Klaviyo's rules for suppression filters (klaviyo-rules.md; SDK changelogs for revision 2023-10-15): list and
 * global conditions never in one filter, one date condition, and a list-suppression condition only next to
 * `equals(list_suppressions.list_id, ...)`, else HTTP 400. So global suppressions take one query, and list
 * suppressions one query per list.
 */
const globalFilter = (after: string) => `greater-than(${GLOBAL_TIMESTAMP},${after})`;
const listFilter = (listId: string, after: string) => `equals(${LIST_ID},${JSON.stringify(listId)}),greater-than(${LIST_TIMESTAMP},${after})`;

/**
 * Detector 2: profiles with a global or list email suppression after `afterMs` (bounces, spam complaints,
 * unsubscribes, manual suppressions, list unsubscribes), found by the suppression's own timestamp, which moves
 * when `updated` may not. Profiles already in `emitted` are skipped; the ones emitted here are added to it.
 */
export async function* detectSuppressions(options: {
  client: KlaviyoClient;
  afterMs: number;
  emitted: Set<string>;
  pageSize: number;
  concurrency: number;
  lists: ListScanPolicy;
  logger: Logger;
}): AsyncGenerator<DetectorOutput> {
  const { client, emitted, logger } = options;
  const requestsBefore = client.requestCount;
  const after = toFilterDateTime(options.afterMs);

  let global = 0;
  const what = 'Get Profiles (global suppressions)';
  for await (const page of restartingOnExpiredCursor(() => profilePages(client, { filter: globalFilter(after), pageSize: options.pageSize }, what), logger, what)) {
    const records = firstSightings(page.data, emitted);
    global += records.length;
    if (records.length > 0) yield { type: 'records', records };
  }

  let inLists = 0;
  const scan = await listsToScan(client, options.lists, logger);
  // A few lists at a time: each query is one request for most lists (few new suppressions per run), so the
  // rate limit, not the latency, should set the pace.
  const width = Math.max(1, options.concurrency);
  for (let i = 0; i < (scan?.length ?? 0); i += width) {
    const chunk = (scan ?? []).slice(i, i + width);
    const found = await Promise.all(chunk.map((listId) => suppressedFromList(client, listId, after, options.pageSize, logger)));
    for (const profiles of found) {
      const records = firstSightings(profiles, emitted);
      inLists += records.length;
      if (records.length > 0) yield { type: 'records', records };
    }
  }
  const listPart = scan === undefined ? 'list suppressions left to the consent events' : `${inLists} with a list suppression in ${scan.length} list(s)`;
  logger.info(`profile_consent: suppression detector: ${global} profiles with a global suppression and ${listPart} after ${after}, ${client.requestCount - requestsBefore} requests`);
}

/** The lists to read one by one, or undefined when detector 2 leaves list suppressions to the consent events. */
async function listsToScan(client: KlaviyoClient, policy: ListScanPolicy, logger: Logger): Promise<string[] | undefined> {
  if (!policy.always && policy.maxLists === 0) return undefined;
  const found = await listIds(client, policy.always ? Number.POSITIVE_INFINITY : policy.maxLists);
  if (found.ids === undefined) {
    logger.info(
      `profile_consent: the account has more than max_lists_to_scan (${policy.maxLists}) lists, so list unsubscribes are caught by their "Unsubscribed from List" consent events (detector 3) rather than one Get Profiles request per list per run`,
    );
    return undefined;
  }
  return found.ids;
}

async function suppressedFromList(client: KlaviyoClient, listId: string, after: string, pageSize: number, logger: Logger): Promise<ProfileResource[]> {
  const profiles: ProfileResource[] = [];
  const what = `Get Profiles (suppressions in list ${listId})`;
  for await (const page of restartingOnExpiredCursor(() => profilePages(client, { filter: listFilter(listId, after), pageSize }, what), logger, what)) {
    profiles.push(...page.data);
  }
  return profiles;
}
