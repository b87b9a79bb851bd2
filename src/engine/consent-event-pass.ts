import { setMaxListeners } from 'node:events';
import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import type { ConsentMetric } from '../klaviyo/consent-metrics.js';
import { isExpiredCursor } from '../klaviyo/errors.js';
import { eventPages, eventSecondsMs, type EventResource, type IncludedProfile } from '../klaviyo/events.js';
import { MAX_CURSOR_RESTARTS } from '../klaviyo/pages.js';
import { PageChannel } from './page-channel.js';

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

type Item = PassItem | { type: 'failed'; error: unknown };


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
  if (windows.length === 0) return;
  const channel = new PageChannel<Item>(Math.max(2, options.concurrency * 2));
  const controller = new AbortController();
  // Every request in flight listens on this one signal: more than Node's default of 10 is expected.
  setMaxListeners(0, controller.signal);
  const queue = [...windows];
  // Up to and including the run's starting second: an event of that second recorded after the read is caught by
  // the next run, which starts `lookback` before this run's start.
  const before = toFilterDateTime(Math.floor(options.beforeMs / 1000) * 1000 + 1000);

  const readMetric = async (window: MetricWindow) => {
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
          controller.signal,
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
          await channel.put({ type: 'page', consent, events, profiles });
          if (controller.signal.aborted) return;
        }
        await channel.put({ type: 'done', consent });
        return;
      } catch (error) {
        if (!isExpiredCursor(error) || restarts >= MAX_CURSOR_RESTARTS) throw error;
        logger.warn(`Get Events (${consent.name}): Klaviyo refused a page cursor (expired); reading this metric again from its last second delivered (restart ${restarts + 1} of ${MAX_CURSOR_RESTARTS})`);
        // Strictly after the second before the last one delivered: that second again, its delivered events skipped.
        if (lastSecondMs !== undefined) afterMs = lastSecondMs - 1000;
      }
    }
  };

  const worker = async () => {
    for (let window = queue.shift(); window && !controller.signal.aborted; window = queue.shift()) await readMetric(window);
  };
  const workers = Array.from({ length: Math.min(Math.max(1, options.concurrency), windows.length) }, () =>
    worker().catch(async (error: unknown) => {
      if (!controller.signal.aborted) await channel.put({ type: 'failed', error }, true);
    }),
  );

  let done = 0;
  try {
    while (done < windows.length) {
      const item = await channel.take();
      if (item === undefined) return;
      if (item.type === 'failed') throw item.error;
      if (item.type === 'done') done += 1;
      yield item;
    }
  } finally {
    controller.abort();
    channel.close();
    await Promise.allSettled(workers);
  }
}
