import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import type { ConsentMetric } from '../klaviyo/consent-metrics.js';
import { isExpiredCursor } from '../klaviyo/errors.js';
import { eventPages, eventSecondsMs, type EventResource, type IncludedProfile } from '../klaviyo/events.js';
import { MAX_CURSOR_RESTARTS } from '../klaviyo/pages.js';
import { fanIn } from '../common/fan-in.js';

/** One metric's events to read: those dated after `afterMs` (undefined: all of them). */
export interface MetricWindow {
  consent: ConsentMetric;
  afterMs: number | undefined;
}

export type PassItem =
  /** A page of one metric's events, oldest first, with the identifiers of their profiles when asked for. */
  | { type: 'page'; consent: ConsentMetric; events: EventResource[]; profiles: ReadonlyMap<string, IncludedProfile> }
  /** Every event of the metric's window has been delivered. */
  | { type: 'done'; consent: ConsentMetric };


/**
 * One pass over Get Events for the given consent metrics, each read from its own lower bound up to the second of
 * `beforeMs` (so an event dated after the run's start waits for the next run and is read once). Metrics
 * are read `concurrency` at a time; pages of one metric arrive in order. An expired cursor restarts the metric
 * from its last second delivered, skipping the events of that second already delivered, so nothing arrives twice.
 */
export async function* readConsentEventPass(options: {
  client: KlaviyoClient;
  windows: readonly MetricWindow[];
  beforeMs: number;
  includeProfiles: boolean;
  concurrency: number;
  logger: Logger;
}): AsyncGenerator<PassItem> {
  const { client, windows, logger } = options;
  // Up to and including the run's starting second: an event of that second recorded after the read is caught by
  // the next run, which starts `lookback` before this run's start.
  const before = toFilterDateTime(Math.floor(options.beforeMs / 1000) * 1000 + 1000);
  yield* fanIn<MetricWindow, PassItem>(windows, { width: options.concurrency, capacity: Math.max(2, options.concurrency * 2), stopReason: 'the consent event pass stopped' }, async (window, put, signal) => {
    const { consent } = window;
    let afterMs = window.afterMs;
    let lastSecondMs: number | undefined;
    let idsAtLastSecond = new Set<string>();
    for (let restarts = 0; ; restarts += 1) {
      try {
        const pages = eventPages(
          client,
          consent.metric.id,
          { ...(afterMs === undefined ? {} : { afterDateTime: toFilterDateTime(afterMs) }), beforeDateTime: before, includeProfiles: options.includeProfiles },
          consent.name,
          signal,
        );
        for await (const page of pages) {
          const events = page.data.filter((event) => {
            const at = eventSecondsMs(event);
            return lastSecondMs === undefined || at === undefined || at > lastSecondMs || (at === lastSecondMs && !idsAtLastSecond.has(event.id));
          });
          for (const event of events) {
            const at = eventSecondsMs(event);
            if (at === undefined) continue;
            if (lastSecondMs === undefined || at > lastSecondMs) {
              lastSecondMs = at;
              idsAtLastSecond = new Set();
            }
            if (at === lastSecondMs) idsAtLastSecond.add(event.id);
          }
          const profiles = new Map<string, IncludedProfile>();
          for (const resource of page.included ?? []) if (resource.type === 'profile') profiles.set(resource.id, resource as IncludedProfile);
          await put({ type: 'page', consent, events, profiles });
        }
        await put({ type: 'done', consent });
        return;
      } catch (error) {
        if (!isExpiredCursor(error) || restarts >= MAX_CURSOR_RESTARTS) throw error;
        logger.warn(`Get Events (${consent.name}): Klaviyo refused a page cursor (expired); reading this metric again from its last second delivered (restart ${restarts + 1} of ${MAX_CURSOR_RESTARTS})`);
        // Strictly after the second before the last one delivered: that second again, its delivered events skipped.
        if (lastSecondMs !== undefined) afterMs = lastSecondMs - 1000;
      }
    }
  });
}
