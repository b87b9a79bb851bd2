import type { ProfileAttributes, ProfileResource, Subscriptions } from '../../klaviyo/types.js';
import {
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  LOCALES,
  ORGANIZATIONS,
  PLACES,
  STREETS,
  TITLES,
} from './fake-data.js';
import { makeProfileId } from '../store/ids.js';
import { chance, deriveSeed, mulberry32, pick, randomInt, type Rng } from './prng.js';
import { generateSubscriptions } from './subscriptions-generator.js';
import { formatSeconds } from '../store/timestamps.js';

export const DEFAULT_ANCHOR = new Date('2026-11-01T00:00:00Z');

const DAY = 86_400;
const WEEK = 7 * DAY;
const THREE_YEARS = 3 * 365 * DAY;

// Each part of a profile has its own PRNG stream, so filters can derive an email without paying
// for a whole profile, and the parts stay identical however they are asked for.
const IDENTITY_SALT = 0x1d;
const DETAILS_SALT = 0x2e;
const SUBSCRIPTIONS_SALT = 0x3f;
const PREDICTIVE_SALT = 0x40;

/**
 * Profiles in columns: only what sorting, paging and lookups need is stored (id, created, updated and
 * a per-profile seed); every other attribute is regenerated from the seed when a page is served.
 * That keeps a million profiles at roughly a hundred bytes each instead of several kilobytes.
 */
export interface GeneratedProfiles {
  readonly count: number;
  readonly ids: string[];
  /** Epoch seconds. */
  readonly createdSec: Float64Array;
  /** Epoch seconds. */
  readonly updatedSec: Float64Array;
  readonly seeds: Uint32Array;
  /** Position of the profile with this id, or undefined. */
  indexOf(id: string): number | undefined;
  /** Full attributes, `subscriptions` included, of the profile at `index`. */
  attributes(index: number): ProfileAttributes;
  profile(index: number): ProfileResource;
  [Symbol.iterator](): Iterator<ProfileResource>;
}

/**
 * Deterministic fake profiles: the same (count, seed, anchor) gives byte-identical data. `updated`
 * is skewed (about half in the last week before `anchor`, the rest over three years) and comes in
 * groups of several profiles sharing one second, so that ties straddle page boundaries.
 */
export function generateProfiles(count: number, seed = 1, anchor: Date = DEFAULT_ANCHOR, listIds: readonly string[] = []): GeneratedProfiles {
  const columns = generateColumns(count, seed, anchor);
  const { ids, createdSec, updatedSec, seeds, indexById } = columns;
  const attributes = (index: number): ProfileAttributes =>
    deriveAttributes(at(seeds, index), index, at(createdSec, index), at(updatedSec, index), listIds);
  const profile = (index: number): ProfileResource => ({ type: 'profile', id: at(ids, index), attributes: attributes(index) });
  return {
    count,
    ids,
    createdSec,
    updatedSec,
    seeds,
    indexOf: (id) => indexById.get(id),
    attributes,
    profile,
    *[Symbol.iterator]() {
      for (let i = 0; i < count; i++) yield profile(i);
    },
  };
}

export interface ProfileColumns {
  ids: string[];
  createdSec: Float64Array;
  updatedSec: Float64Array;
  seeds: Uint32Array;
  indexById: Map<string, number>;
}

/** The stored part of generated profiles; everything else is derived from `seeds`. */
export function generateColumns(count: number, seed: number, anchor: Date): ProfileColumns {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`profiles must be a non-negative integer, got ${count}`);
  const rng = mulberry32(seed);
  const ids: string[] = new Array<string>(count);
  const createdSec = new Float64Array(count);
  const updatedSec = new Float64Array(count);
  const seeds = new Uint32Array(count);
  const indexById = new Map<string, number>();
  const lastSecond = lastWholeSecondBefore(anchor);
  const oldest = lastSecond - THREE_YEARS - 180 * DAY;

  let groupLeft = 0;
  let groupUpdated = lastSecond;
  for (let i = 0; i < count; i++) {
    if (groupLeft === 0) {
      groupLeft = chance(rng, 0.25) ? randomInt(rng, 2, 6) : 1;
      groupUpdated = chance(rng, 0.5)
        ? lastSecond - randomInt(rng, 0, WEEK - 1)
        : lastSecond - randomInt(rng, WEEK, THREE_YEARS);
    }
    groupLeft--;
    const updated = groupUpdated;
    const created = chance(rng, 0.2) ? updated : updated - Math.floor(rng() ** 2 * (updated - oldest));
    let id = makeProfileId(created * 1000 + randomInt(rng, 0, 999), rng);
    while (indexById.has(id)) id = makeProfileId(created * 1000 + randomInt(rng, 0, 999), rng);
    indexById.set(id, i);
    ids[i] = id;
    createdSec[i] = created;
    updatedSec[i] = updated;
    seeds[i] = Math.floor(rng() * 4294967296);
  }
  return { ids, createdSec, updatedSec, seeds, indexById };
}

export function lastWholeSecondBefore(anchor: Date): number {
  return Math.ceil(anchor.getTime() / 1000) - 1;
}

function at<T>(list: ArrayLike<T>, index: number): T {
  const value = list[index];
  if (value === undefined) throw new RangeError(`no generated profile at index ${index}`);
  return value;
}

export interface Identity {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone_number: string | null;
  external_id: string | null;
  placeIndex: number;
}

/** The identifying fields alone: cheap, for filters and the email sort. */
export function deriveIdentity(profileSeed: number, index: number): Identity {
  const rng = mulberry32(deriveSeed(profileSeed, IDENTITY_SALT));
  const first = chance(rng, 0.9) ? pick(rng, FIRST_NAMES) : null;
  const last = chance(rng, 0.85) ? pick(rng, LAST_NAMES) : null;
  const placeIndex = randomInt(rng, 0, PLACES.length - 1);
  const place = PLACES[placeIndex];
  let email = chance(rng, 0.9) ? makeEmail(rng, first?.[1], last?.[1], index) : null;
  let phone: string | null = null;
  if (place && chance(rng, 0.6)) {
    phone = place.phonePrefix;
    for (let d = 0; d < place.phoneDigits; d++) phone += String(randomInt(rng, 0, 9));
  }
  const external = chance(rng, 0.5) ? makeExternalId(rng, index) : null;
  // Klaviyo needs at least one identifier on a profile.
  if (email === null && phone === null && external === null) email = makeEmail(rng, first?.[1], last?.[1], index);
  return {
    first_name: first?.[0] ?? null,
    last_name: last?.[0] ?? null,
    email,
    phone_number: phone,
    external_id: external,
    placeIndex,
  };
}

function makeEmail(rng: Rng, first: string | undefined, last: string | undefined, index: number): string {
  const name = [first, last].filter((part) => part !== undefined).join('.') || 'user';
  // A few plus-addresses: `+` must survive URL encoding in filters like equals(email,'…').
  const tag = chance(rng, 0.05) ? '+shop' : '';
  return `${name}${tag}.${index}@${pick(rng, EMAIL_DOMAINS)}`;
}

function makeExternalId(rng: Rng, index: number): string {
  const style = randomInt(rng, 0, 2);
  if (style === 0) return `ext-${index}`;
  if (style === 1) return String(100_000_000 + index);
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(rng() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Every attribute of one profile, in Klaviyo's key order, `subscriptions` included. */
export function deriveAttributes(profileSeed: number, index: number, createdSec: number, updatedSec: number, listIds: readonly string[]): ProfileAttributes {
  const identity = deriveIdentity(profileSeed, index);
  const rng = mulberry32(deriveSeed(profileSeed, DETAILS_SALT));
  const place = PLACES[identity.placeIndex];
  const lastEvent = chance(rng, 0.7) ? formatSeconds(randomInt(rng, createdSec, updatedSec)) : null;
  return {
    email: identity.email,
    phone_number: identity.phone_number,
    external_id: identity.external_id,
    first_name: identity.first_name,
    last_name: identity.last_name,
    organization: chance(rng, 0.3) ? pick(rng, ORGANIZATIONS) : null,
    locale: chance(rng, 0.6) ? pick(rng, LOCALES) : null,
    title: chance(rng, 0.2) ? pick(rng, TITLES) : null,
    image: chance(rng, 0.1) ? `https://images.example.com/avatars/${index}.jpg` : null,
    created: formatSeconds(createdSec),
    updated: formatSeconds(updatedSec),
    last_event_date: lastEvent,
    location:
      place && chance(rng, 0.85)
        ? {
            address1: chance(rng, 0.5) ? pick(rng, STREETS) : null,
            address2: chance(rng, 0.1) ? '1st floor' : null,
            city: place.city,
            country: place.country,
            // The spec allows a string or a number here, and Klaviyo returns both.
            latitude: chance(rng, 0.7) ? place.latitude : place.latitude.toFixed(4),
            longitude: chance(rng, 0.7) ? place.longitude : place.longitude.toFixed(4),
            region: place.region,
            zip: place.zip,
            timezone: place.timezone,
            ip: chance(rng, 0.5) ? `203.0.113.${randomInt(rng, 1, 254)}` : null,
          }
        : null,
    properties: {},
    subscriptions: deriveSubscriptions(profileSeed, identity, createdSec, updatedSec, listIds),
  };
}

export function deriveSubscriptions(profileSeed: number, identity: Identity, createdSec: number, updatedSec: number, listIds: readonly string[]): Subscriptions {
  const rng = mulberry32(deriveSeed(profileSeed, SUBSCRIPTIONS_SALT));
  return generateSubscriptions(rng, {
    listIds,
    hasEmail: identity.email !== null,
    phoneNumber: identity.phone_number,
    createdSec,
    updatedSec,
  });
}

/** The spec's PredictiveAnalytics; served only for additional-fields[profile]=predictive_analytics. */
export function derivePredictiveAnalytics(profileSeed: number, anchorSec: number): Record<string, unknown> {
  const rng = mulberry32(deriveSeed(profileSeed, PREDICTIVE_SALT));
  if (chance(rng, 0.4)) {
    return {
      historic_clv: null,
      predicted_clv: null,
      total_clv: null,
      historic_number_of_orders: 0,
      predicted_number_of_orders: null,
      average_days_between_orders: null,
      average_order_value: null,
      churn_probability: null,
      expected_date_of_next_order: null,
      ranked_channel_affinity: null,
    };
  }
  const orders = randomInt(rng, 1, 12);
  const average = Math.round(rng() * 20_000) / 100;
  const historic = Math.round(orders * average * 100) / 100;
  const predicted = Math.round(rng() * historic * 100) / 100;
  return {
    historic_clv: historic,
    predicted_clv: predicted,
    total_clv: Math.round((historic + predicted) * 100) / 100,
    historic_number_of_orders: orders,
    predicted_number_of_orders: Math.round(rng() * 300) / 100,
    average_days_between_orders: orders > 1 ? randomInt(rng, 7, 300) : null,
    average_order_value: average,
    churn_probability: Math.round(rng() * 100) / 100,
    expected_date_of_next_order: formatSeconds(anchorSec + randomInt(rng, 1, 120) * DAY),
    ranked_channel_affinity: pick(rng, [['email', 'sms', 'push'], ['sms', 'email'], ['email']]),
  };
}
