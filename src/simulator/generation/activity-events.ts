import type { EventProperties, EventStore } from '../store/event-store.js';
import { ACTIVITY_METRICS, type MetricCatalog } from '../store/metric-catalog.js';
import { chance, deriveSeed, mulberry32, pick, randomInt, type Rng } from './prng.js';
import type { ProfileStore } from '../store/profile-store.js';

const ACTIVITY_SALT = 0xac7;
const DAY = 86_400;

/** The default number of generated activity events: two per profile, at most ten thousand. */
export function defaultActivityEvents(profiles: number): number {
  return Math.min(profiles * 2, 10_000);
}

/**
 * Events of the non-consent metrics (orders, opens, clicks, site visits) in the 90 days before the
 * anchor, on random profiles. They exist so that a connector which forgets to filter GET /api/events
 * by metric reads events it must not act on.
 */
export function generateActivityEvents(
  events: EventStore,
  profiles: ProfileStore,
  metrics: MetricCatalog,
  options: { count: number; seed: number; anchorSec: number },
): void {
  const { count, seed, anchorSec } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`activityEvents must be a non-negative integer, got ${count}`);
  if (profiles.slotCount === 0) return;
  const rng = mulberry32(deriveSeed(seed, ACTIVITY_SALT));
  for (let i = 0; i < count; i++) {
    const slot = randomInt(rng, 0, profiles.slotCount - 1);
    const [name] = pick(rng, ACTIVITY_METRICS);
    const metric = metrics.byName(name);
    if (!metric || !profiles.isAlive(slot)) continue;
    events.add({
      metricId: metric.id,
      profileId: profiles.idOf(slot),
      seconds: anchorSec - randomInt(rng, 1, 90 * DAY),
      properties: activityProperties(rng, name, i),
    });
  }
}

function activityProperties(rng: Rng, metricName: string, index: number): EventProperties {
  switch (metricName) {
    case 'Placed Order':
      return { $value: Math.round(rng() * 30_000) / 100, OrderId: `ORD-${100_000 + index}`, ItemCount: randomInt(rng, 1, 5) };
    case 'Opened Email':
    case 'Clicked Email':
      return {
        Subject: pick(rng, ['Spring sale', 'Welcome to the club', 'Your cart misses you', 'Nouveautés d’été']),
        'Campaign Name': pick(rng, ['Spring 2026', 'Welcome series', 'Abandoned cart']),
        ...(metricName === 'Clicked Email' ? { URL: 'https://shop.example.com/sale' } : {}),
      };
    default:
      return chance(rng, 0.5) ? { page: 'https://shop.example.com/' } : {};
  }
}
