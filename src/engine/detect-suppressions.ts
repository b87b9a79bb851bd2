import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { listIds } from '../klaviyo/lists.js';
import { restartingOnExpiredCursor } from '../klaviyo/pages.js';
import { profilePages } from '../klaviyo/profiles.js';
import type { ProfileResource } from '../klaviyo/types.js';
import { firstSightings } from './emit-once.js';
import { fanIn } from '../common/fan-in.js';
import type { DetectorOutput } from './scan-updated-ranges.js';

const GLOBAL_TIMESTAMP = 'subscriptions.email.marketing.suppression.timestamp';
const LIST_TIMESTAMP = 'subscriptions.email.marketing.list_suppressions.timestamp';
const LIST_ID = 'subscriptions.email.marketing.list_suppressions.list_id';

/** When detector 2 reads list suppressions one list at a time. */
export interface ListScanPolicy {
  /** Scan every list whatever their number (unless maxLists is 0): consent events are off, and nothing else catches a list unsubscribe before the full pass. */
  always: boolean;
  /** Scan only when the account has at most this many lists; 0: never. */
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
  for await (const page of suppressedFromLists(client, scan ?? [], after, options, logger)) {
    const records = firstSightings(page, emitted);
    inLists += records.length;
    if (records.length > 0) yield { type: 'records', records };
  }
  const listPart = scan === undefined ? 'list suppressions left to the consent events' : `${inLists} with a list suppression in ${scan.length} list(s)`;
  logger.info(`profile_consent: suppression detector: ${global} profiles with a global suppression and ${listPart} after ${after}, ${client.requestCount - requestsBefore} requests`);
}

/** The lists to read one by one, or undefined when detector 2 leaves list suppressions to the consent events. */
async function listsToScan(client: KlaviyoClient, policy: ListScanPolicy, logger: Logger): Promise<string[] | undefined> {
  if (policy.maxLists === 0) return undefined;
  const found = await listIds(client, policy.always ? Number.POSITIVE_INFINITY : policy.maxLists);
  if (found.ids === undefined) {
    logger.info(
      `profile_consent: the account has more than max_lists_to_scan (${policy.maxLists}) lists, so list unsubscribes are caught by their "Unsubscribed from List" consent events (detector 3) rather than one Get Profiles request per list per run`,
    );
    return undefined;
  }
  return found.ids;
}

/**
 * The pages of every list's new suppressions, several lists at a time (most take one request: few new
 * suppressions per run, so the rate limit, not the latency, should set the pace), handed over page by page
 * through a bounded channel: a list clean-up of 50,000 profiles must not sit in memory at once.
 */
async function* suppressedFromLists(
  client: KlaviyoClient,
  lists: readonly string[],
  after: string,
  options: { pageSize: number; concurrency: number },
  logger: Logger,
): AsyncGenerator<ProfileResource[]> {
  yield* fanIn<string, ProfileResource[]>(lists, { width: options.concurrency, stopReason: 'the suppression detector stopped' }, async (listId, put, signal) => {
    const what = `Get Profiles (suppressions in list ${listId})`;
    const pages = restartingOnExpiredCursor(() => profilePages(client, { filter: listFilter(listId, after), pageSize: options.pageSize }, what, signal), logger, what);
    for await (const page of pages) await put(page.data);
  });
}
