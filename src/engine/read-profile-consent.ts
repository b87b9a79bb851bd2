import { compareNormalized, toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { ProfileConsentRecord } from '../generated/profile-consent-record.js';
import type { ProfileConsentState } from '../generated/profile-consent-state.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { profilePages } from '../klaviyo/profiles.js';
import { toProfileConsentRecord } from '../streams/profile-consent/map-record.js';
import type { SyncMode } from './events.js';
import { planProfileRead } from './plan-profile-read.js';

export type ProfileConsentOutput =
  | { type: 'record'; record: ProfileConsentRecord }
  | { type: 'checkpoint'; state: ProfileConsentState };

/**
 * Reads profile_consent in one scan sorted by `updated` and checkpoints after every page. Because the scan
 * is sorted, every profile updated before the last one read has been read, so the highest `updated` seen is
 * a safe cursor; it is capped at the run's start, so changes made while the run is going are read next time.
 */
export async function* readProfileConsent(options: {
  client: KlaviyoClient;
  mode: SyncMode;
  state: ProfileConsentState | undefined;
  startDateMs: number | undefined;
  pageSize: number;
  runStartedMs: number;
  logger: Logger;
}): AsyncGenerator<ProfileConsentOutput> {
  const { client, logger } = options;
  const plan = planProfileRead(options);
  if (plan.stateInFuture) {
    logger.warn(`profile_consent: the state's cursor ${String(options.state?.updated)} lies after this run's start; nothing can be newer. The cursor is reset to the run's start so no later change is missed.`);
  }
  const ceiling = toFilterDateTime(options.runStartedMs);
  let cursor = plan.initialCursor;
  let highest: string | undefined;
  let pages = 0;
  let records = 0;
  const started = Date.now();
  logger.info(`profile_consent: ${options.mode} read, ${plan.filter ? `filter ${plan.filter}` : 'all profiles'}, sorted by updated, ${options.pageSize} per page`);

  for await (const page of profilePages(client, { filter: plan.filter, sort: 'updated', pageSize: options.pageSize })) {
    pages += 1;
    for (const resource of page.data) {
      const record = toProfileConsentRecord(resource);
      if (record.updated !== null && (highest === undefined || compareNormalized(record.updated, highest) > 0)) highest = record.updated;
      records += 1;
      yield { type: 'record', record };
    }
    if (highest !== undefined) {
      const capped = compareNormalized(highest, ceiling) > 0 ? ceiling : highest;
      if (cursor === undefined || compareNormalized(capped, cursor) > 0) cursor = capped;
    }
    yield { type: 'checkpoint', state: { ...(options.state ?? {}), ...(cursor === undefined ? {} : { updated: cursor }) } };
  }
  const seconds = (Date.now() - started) / 1000;
  logger.info(`profile_consent: ${records} records from ${pages} pages in ${seconds.toFixed(1)} s (${client.requestCount} requests); cursor ${cursor ?? 'none'}`);
}
