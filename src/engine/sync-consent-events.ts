import { compareNormalized, toFilterDateTime } from '../common/datetime.js';
import { ConnectorError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Settings } from '../config/settings.js';
import type { ConsentEventRecord } from '../generated/consent-event-record.js';
import type { ConsentEventsState } from '../generated/consent-events-state.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { eventSecondsMs, type EventResource } from '../klaviyo/events.js';
import { listsByName } from '../klaviyo/lists.js';
import { mapConsentEvent } from '../streams/consent-events/map-event.js';
import { readConsentEventPass } from './consent-event-pass.js';
import { findConsentMetrics } from './detect-consent-events.js';
import type { ReadProgress, SyncMode } from './events.js';
import { startTotals } from './run-totals.js';
import { planConsentEvents } from './plan-consent-events.js';
import { withRateLimitNotices, type RateLimitedNotice } from './rate-limit-notices.js';

export type ConsentEventsOutput =
  | { type: 'records'; records: ConsentEventRecord[] }
  | { type: 'checkpoint'; state: ConsentEventsState }
  | { type: 'progress'; progress: ReadProgress }
  | RateLimitedNotice;

/** Profile ids with consent events after `afterMs`, gathered for profile_consent's detector 3 in the same pass. */
export interface EventProfilesCollector {
  afterMs: number;
  ids: Set<string>;
}

/**
 * The consent_events read: one pass over Get Events for every consent metric of the account, each metric from
 * its own watermark (lookback applied) up to the run's start, every event one record. After each page the state
 * records that metric's progress, so a run killed mid-way resumes where it stopped; once every metric is read,
 * the state is the run's start. With `collect`, the pass also reads from the collector's bound and gathers the
 * profiles detector 3 of profile_consent needs, so a run with both streams reads Get Events once.
 */
export async function* syncConsentEvents(options: {
  client: KlaviyoClient;
  mode: SyncMode;
  state: ConsentEventsState | undefined;
  settings: Settings;
  runStartedMs: number;
  logger: Logger;
  collect?: EventProfilesCollector;
}): AsyncGenerator<ConsentEventsOutput> {
  const { client, settings, logger, mode, collect } = options;
  const plan = planConsentEvents({ mode, state: options.state, startDateMs: settings.startDateMs, runStartedMs: options.runStartedMs, lookbackSeconds: settings.lookbackSeconds, fullResyncDays: settings.fullResyncDays });
  if (plan.stateInFuture) logger.warn("consent_events: the state holds instants after this run's start (a wrong clock or a hand edit); they are reset to the run's start.");
  if (plan.reason) logger.info(`consent_events: reading every consent event${settings.startDateMs === undefined ? '' : ` from start_date`} (${plan.reason})`);
  const totals = startTotals(client);
  const runStart = toFilterDateTime(options.runStartedMs);
  const state: ConsentEventsState = structuredClone(plan.base);
  const checkpoint = (complete: boolean): ConsentEventsOutput => ({ type: 'checkpoint', state: { ...structuredClone(state), ...(mode === 'full_refresh' && !complete ? { full_refresh_in_progress: true } : {}) } });
  let records = 0;
  let unreadable = 0;

  const consent = await findConsentMetrics(client, logger, 'consent_events');
  const own = new Map(consent.map((c) => [c.metric.id, plan.afterMs(c.metric.id)]));
  // The pass reads from the lower of the two bounds; each stream takes what is after its own.
  const lower = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : Math.min(a, b));
  const windows = consent.map((c) => ({ consent: c, afterMs: collect ? lower(own.get(c.metric.id), collect.afterMs) : own.get(c.metric.id) }));

  let byName: Map<string, string[]> | undefined;
  const listIdOf = (name: string) => {
    const ids = byName?.get(name);
    return ids?.length === 1 ? ids[0] : undefined;
  };
  const loadListNames = async (events: EventResource[]) => {
    if (byName !== undefined || events.length === 0) return;
    try {
      byName = await listsByName(client);
    } catch (error) {
      if (!(error instanceof ConnectorError) || error.failureType !== 'config_error') throw error;
      byName = new Map();
      logger.warn(`consent_events: list_id is left empty for list events whose properties name only the list: reading the account's lists failed (${error.message})`);
    }
  };

  const pass = readConsentEventPass({ client, windows, beforeMs: options.runStartedMs, includeProfiles: true, concurrency: settings.concurrency, logger });
  for await (const item of withRateLimitNotices(client, pass)) {
    if (item.type === 'rate_limited') {
      yield item;
      continue;
    }
    const metricId = item.consent.metric.id;
    if (item.type === 'done') {
      (state.metrics ??= {})[metricId] = runStart;
      yield checkpoint(false);
      continue;
    }
    const after = own.get(metricId);
    const mine = item.events.filter((event) => after === undefined || (eventSecondsMs(event) ?? Number.POSITIVE_INFINITY) > after);
    if (collect) {
      for (const event of item.events) {
        const profileId = event.relationships?.profile?.data?.id;
        if (typeof profileId === 'string' && (eventSecondsMs(event) ?? Number.POSITIVE_INFINITY) > collect.afterMs) collect.ids.add(profileId);
      }
    }
    if (item.consent.kind.channel === 'list') await loadListNames(mine);
    const mapped: ConsentEventRecord[] = [];
    for (const event of mine) {
      const record = mapConsentEvent(event, item.consent, item.profiles, listIdOf);
      if (record) mapped.push(record);
      else unreadable += 1;
    }
    records += mapped.length;
    if (mapped.length > 0) yield { type: 'records', records: mapped };
    // Every event of this metric dated before the page's last second has been emitted (the rest of that second
    // may be on the next page).
    const lastEvent = item.events.at(-1);
    const lastMs = lastEvent === undefined ? undefined : eventSecondsMs(lastEvent);
    const reached = lastMs === undefined ? undefined : toFilterDateTime(lastMs);
    const current = state.metrics?.[metricId] ?? state.datetime;
    if (reached !== undefined && (current === undefined || compareNormalized(reached, current) > 0)) {
      (state.metrics ??= {})[metricId] = reached;
      yield checkpoint(false);
    }
  }
  if (unreadable > 0) logger.warn(`consent_events: ${unreadable} event(s) had neither a readable datetime nor a timestamp and were left out; Klaviyo sent data outside its own spec.`);
  // Every metric is read up to the run's start: one watermark for all of them.
  delete state.metrics;
  state.datetime = runStart;
  if (plan.fullRead) state.last_full_read = runStart;
  yield checkpoint(true);
  logger.info(`consent_events: ${records} events from ${consent.length} consent metrics, ${totals.requests()} requests, ${totals.seconds().toFixed(1)} s`);
  yield totals.done(records);
}
