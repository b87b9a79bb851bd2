import { asConnectorError, ConfigError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Settings } from '../config/settings.js';
import { KlaviyoClient } from '../klaviyo/client.js';
import { STREAM_NAME as CONSENT_EVENTS } from '../streams/consent-events/schema.js';
import type { ConsentEventsState } from '../streams/consent-events/state.js';
import { STREAM_NAME as PROFILE_CONSENT } from '../streams/profile-consent/schema.js';
import type { ProfileConsentState } from '../streams/profile-consent/state.js';
import type { StreamRequest, SyncEvent } from './events.js';
import { planSync } from './plan-sync.js';
import { syncConsentEvents, type EventProfilesCollector } from './sync-consent-events.js';
import { syncProfileConsent } from './sync-profile-consent.js';

export const STREAM_NAMES = [PROFILE_CONSENT, CONSENT_EVENTS] as const;

export function createClient(settings: Settings, logger: Logger): KlaviyoClient {
  return new KlaviyoClient({ ...settings, logger });
}

type Detector = 'updated' | 'suppressions' | 'events';

/**
 * Runs the requested streams one after another and reports what happens as SyncEvents. A stream that fails
 * ends the sync: its failure is reported as an event, and nothing after it runs. With both streams asked for,
 * consent_events runs first and its pass over Get Events also gathers the profiles that profile_consent's
 * consent-event detector needs, so the run reads each consent metric's events once; if it fails, profile_consent
 * still runs, reading its events itself.
 */
export async function* runSync(options: {
  settings: Settings;
  streams: StreamRequest[];
  logger: Logger;
  client?: KlaviyoClient;
  now?: () => number;
  /** For tests that prove a detector is needed: run only these. */
  detectors?: ReadonlyArray<Detector>;
  /** Tests: how often the scan reports while no page arrives. */
  heartbeatMs?: number;
}): AsyncGenerator<SyncEvent> {
  const { settings, logger } = options;
  const client = options.client ?? createClient(settings, logger);
  const runStartedMs = (options.now ?? Date.now)();
  const profiles = options.streams.find((s) => s.stream === PROFILE_CONSENT);
  let collector = options.streams.some((s) => s.stream === CONSENT_EVENTS) && profiles ? sharedCollector(profiles, settings, runStartedMs, options.detectors) : undefined;
  const ordered = collector ? [...options.streams].sort((a, b) => Number(b.stream === CONSENT_EVENTS) - Number(a.stream === CONSENT_EVENTS)) : options.streams;
  for (const request of ordered) {
    const stream = request.stream;
    yield { type: 'stream_started', stream };
    try {
      if (stream === PROFILE_CONSENT) {
        for await (const output of syncProfileConsent({
          client,
          mode: request.mode,
          state: request.state as ProfileConsentState | undefined,
          settings,
          runStartedMs,
          logger,
          detectors: options.detectors,
          heartbeatMs: options.heartbeatMs,
          ...(collector ? { eventProfiles: collector } : {}),
        })) {
          yield { ...output, stream };
        }
      } else if (stream === CONSENT_EVENTS) {
        for await (const output of syncConsentEvents({ client, mode: request.mode, state: request.state as ConsentEventsState | undefined, settings, runStartedMs, logger, ...(collector ? { collect: collector } : {}) })) {
          yield { ...output, stream };
        }
      } else {
        throw new ConfigError(`Unknown stream "${stream}". This connector's streams are ${STREAM_NAMES.join(' and ')}.`);
      }
      yield { type: 'stream_completed', stream };
    } catch (error) {
      yield { type: 'stream_failed', stream, error: asConnectorError(error) };
      // consent_events runs first only to share its pass: its failure must not keep profile_consent, the
      // consent state, from syncing. That stream then reads its consent events itself (the ids gathered are
      // incomplete). Any other failure ends the sync.
      if (stream === CONSENT_EVENTS && collector) {
        collector = undefined;
        continue;
      }
      return;
    }
  }
}

/** Where profile_consent's consent-event detector will read from in this run, if it reads at all. */
function sharedCollector(request: StreamRequest, settings: Settings, runStartedMs: number, detectors: ReadonlyArray<Detector> | undefined): EventProfilesCollector | undefined {
  if (detectors && !detectors.includes('events')) return undefined;
  const plan = planSync({ ...settings, mode: request.mode, state: request.state as ProfileConsentState | undefined, runStartedMs });
  return plan.eventsAfterMs === undefined ? undefined : { afterMs: plan.eventsAfterMs, ids: new Set() };
}
