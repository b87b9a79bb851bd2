import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import { futureStartDate } from '../config/future-start-date.js';
import type { Settings } from '../config/settings.js';
import type { ProfileConsentState } from '../generated/profile-consent-state.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { detectConsentEvents } from './detect-consent-events.js';
import { detectSuppressions } from './detect-suppressions.js';
import type { SyncMode } from './events.js';
import { planSync } from './plan-sync.js';
import { startTotals } from './run-totals.js';
import { withRateLimitNotices } from './rate-limit-notices.js';
import { takeOddValues } from '../streams/profile-consent/odd-values.js';
import { scanUpdatedRanges, type DetectorOutput } from './scan-updated-ranges.js';

export type ProfileConsentOutput = DetectorOutput | { type: 'checkpoint'; state: ProfileConsentState };

/** One warning per field for the values Klaviyo sent that could not be read and were written as null. */
function warnAboutOddValues(logger: Logger): void {
  for (const [field, { count, example }] of takeOddValues()) {
    logger.warn(`profile_consent: ${count} value(s) of ${field} could not be read and were written as null (for example ${example}); Klaviyo sent data outside its own spec.`);
  }
}

/**
 * The profile_consent read: the union of change detectors, each with its own watermark in the state.
 * Detectors 2 (suppressions) and 3 (consent events) run first and remember the profiles they emit (few, in
 * an incremental run); detector 1 (the `updated` scan, or the periodic full pass) then skips those, so each
 * profile is emitted once per run (one exception: a profile changed while the scan runs can appear twice).
 * A watermark advances only when its detector has read everything, and never past the run's start.
 */
export async function* syncProfileConsent(options: {
  client: KlaviyoClient;
  mode: SyncMode;
  state: ProfileConsentState | undefined;
  settings: Settings;
  runStartedMs: number;
  logger: Logger;
  /** For tests that prove a detector is needed: run only these. */
  detectors?: ReadonlyArray<'updated' | 'suppressions' | 'events'>;
  /** Tests: how often the scan reports while no page arrives. */
  heartbeatMs?: number;
  /**
   * Profiles with consent events after `afterMs`, collected by the consent_events stream's pass over Get Events
   * in this run: detector 3 then reads no event itself. Used only when `afterMs` is the detector's own bound.
   */
  eventProfiles?: { afterMs: number; ids: ReadonlySet<string> };
}): AsyncGenerator<ProfileConsentOutput> {
  const { client, settings, logger, mode } = options;
  const enabled = (name: 'updated' | 'suppressions' | 'events') => options.detectors?.includes(name) ?? true;
  const plan = planSync({ ...settings, mode, state: options.state, runStartedMs: options.runStartedMs });
  if (plan.stateInFuture) {
    logger.warn('profile_consent: the state holds instants after this run\'s start (a wrong clock or a hand edit); nothing can be newer. They are reset to the run\'s start so no later change is missed.');
  }
  if (plan.fullPass) logger.info(`profile_consent: reading every profile (${plan.reason})`);
  const startDateProblem = futureStartDate(settings, options.runStartedMs);
  if (startDateProblem) logger.warn(`profile_consent: ${startDateProblem}`);
  if (mode === 'incremental' && !settings.consentEvents && settings.fullResyncDays === 0) {
    logger.warn('profile_consent: consent_events is false and full_resync_days is 0, so a subscribe or unsubscribe that does not move a profile\'s updated (email or SMS, through forms or the API) is never synced. Turn one of them back on.');
  } else if (mode === 'incremental' && !settings.consentEvents && settings.maxListsToScan === 0) {
    logger.warn('profile_consent: consent_events is false and max_lists_to_scan is 0, so a list unsubscribe that does not move a profile\'s updated waits for the periodic full pass. Set max_lists_to_scan above 0 or turn consent_events back on.');
  }
  const runStart = toFilterDateTime(options.runStartedMs);
  const state: ProfileConsentState = { ...plan.base };
  const checkpoint = (complete: boolean): ProfileConsentOutput => ({
    type: 'checkpoint',
    state: { ...state, ...(mode === 'full_refresh' && !complete ? { full_refresh_in_progress: true } : {}) },
  });
  const emitted = new Set<string>();
  takeOddValues(); // a fresh count for this run
  const totals = startTotals(client);
  let records = 0;
  try {
    for await (const output of runDetectors()) {
      if (output.type === 'records') records += output.records.length;
      yield output;
    }
  } finally {
    warnAboutOddValues(logger);
  }
  yield totals.done(records);


  async function* runDetectors(): AsyncGenerator<ProfileConsentOutput> {
    if (plan.suppressionsAfterMs !== undefined && enabled('suppressions')) {
      const lists = { always: !settings.consentEvents, maxLists: settings.maxListsToScan };
      yield* withRateLimitNotices(client, detectSuppressions({ client, afterMs: plan.suppressionsAfterMs, emitted, pageSize: settings.pageSize, concurrency: settings.concurrency, lists, logger }));
      state.suppressions_since = runStart;
      yield checkpoint(false);
    }
    if (plan.eventsAfterMs !== undefined && enabled('events')) {
      const shared = options.eventProfiles?.afterMs === plan.eventsAfterMs ? options.eventProfiles.ids : undefined;
      yield* withRateLimitNotices(
        client,
        detectConsentEvents({ client, afterMs: plan.eventsAfterMs, beforeMs: options.runStartedMs, emitted, logger, concurrency: settings.concurrency, ...(shared ? { collected: shared } : {}) }),
      );
      state.events_since = runStart;
      yield checkpoint(false);
    }
    if (!enabled('updated')) {
      yield checkpoint(true);
      return;
    }
    for await (const output of scanUpdatedRanges({
      client,
      lowerMs: plan.scanLowerMs,
      initialCursor: plan.scanInitialCursor,
      skipIds: emitted,
      pageSize: settings.pageSize,
      concurrency: settings.concurrency,
      runStartedMs: options.runStartedMs,
      logger,
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    })) {
      if (output.type !== 'cursor') {
        yield output;
        continue;
      }
      if (output.updated !== undefined) state.updated = output.updated;
      if (output.complete && plan.fullPass) {
        if (mode === 'incremental') {
          state.last_full_pass = state.full_pass_started ?? runStart;
          delete state.full_pass_started;
        } else {
          // A full refresh read everything since its first attempt began: every detector is caught up to then.
          const began = state.full_pass_started ?? runStart;
          state.last_full_pass = began;
          state.suppressions_since = began;
          state.events_since = began;
          delete state.full_pass_started;
        }
      }
      yield checkpoint(output.complete);
    }
  }
}
