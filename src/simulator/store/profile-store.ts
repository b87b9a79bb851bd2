import type { ProfileAttributes, Subscriptions } from '../../klaviyo/types.js';
import type { FilterField, SortField } from '../rules/api-contract.js';
import type { SortKey } from '../rules/cursor.js';
import { makeProfileId } from './ids.js';
import { deriveSeed, mulberry32, type Rng } from '../generation/prng.js';
import {
  deriveAttributes,
  deriveIdentity,
  derivePredictiveAnalytics,
  deriveSubscriptions,
  generateColumns,
  lastWholeSecondBefore,
} from '../generation/profile-generator.js';
import { SortedIndex, type IndexSource } from './sorted-index.js';
import { neverSubscribedEmailMarketing } from '../generation/subscriptions-generator.js';
import { formatSeconds, parseInstant } from './timestamps.js';

const ADDED_IDS_SALT = 0xadd;

/**
 * The simulator's profiles: generated ones live as columns plus a seed, and become a stored
 * attributes object only once something writes to them. Sorted indexes are built on first use and
 * patched in place on every write, so a write costs O(n) memmove at worst, never a re-sort.
 */
/** About 1.5 KB each: a few hundred MB at most, whatever the number of profiles. */
const MAX_SERIALIZED = 300_000;

export class ProfileStore implements IndexSource {
  private ids: string[];
  private createdMs: Float64Array;
  private updatedMs: Float64Array;
  private seeds: Uint32Array;
  private alive: Uint8Array;
  private slots: number;
  private live: number;
  private readonly slotById: Map<string, number>;
  private readonly written = new Map<number, ProfileAttributes>();
  /**
   * Serialized resources by slot, for one response shape at a time (the fields a query asks for). Rebuilding a
   * profile from its seed costs more than a client spends parsing it, so without this the simulator, not the
   * connector, would bound every throughput benchmark. Writes drop the slot's entry.
   */
  private readonly serialized = new Map<number, string>();
  private serializedShape = '';
  private readonly indexes = new Map<string, SortedIndex>();
  /**
   * Email (lower-cased) or phone number -> the lowest live slot with it, built on the first lookup and
   * patched on writes. When a write takes a value away from its slot the map is marked stale, since
   * another profile may share it; the next lookup that misses rebuilds it.
   */
  private readonly identityIndexes = new Map<IdentityField, Map<string, number>>();
  private readonly staleIdentityIndexes = new Set<IdentityField>();
  private readonly addedIdRng: Rng;
  readonly anchorSec: number;

  constructor(count: number, seed: number, anchor: Date, private readonly listIds: readonly string[] = []) {
    const columns = generateColumns(count, seed, anchor);
    this.ids = columns.ids;
    this.slotById = columns.indexById;
    this.seeds = columns.seeds;
    this.createdMs = columns.createdSec.map((seconds) => seconds * 1000);
    this.updatedMs = columns.updatedSec.map((seconds) => seconds * 1000);
    this.alive = new Uint8Array(count).fill(1);
    this.slots = count;
    this.live = count;
    this.addedIdRng = mulberry32(deriveSeed(seed, ADDED_IDS_SALT));
    this.anchorSec = lastWholeSecondBefore(anchor) + 1;
  }

  get size(): number {
    return this.live;
  }

  get slotCount(): number {
    return this.slots;
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id);
  }

  isAlive(slot: number): boolean {
    return this.alive[slot] === 1;
  }

  idOf(slot: number): string {
    const id = this.ids[slot];
    if (id === undefined) throw new RangeError(`no profile in slot ${slot}`);
    return id;
  }

  liveSlots(): number[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.slots; slot++) if (this.alive[slot] === 1) slots.push(slot);
    return slots;
  }

  /** The profile's attributes with subscriptions. Stored objects are returned as is: do not mutate. */
  attributesOf(slot: number): ProfileAttributes {
    const written = this.written.get(slot);
    if (written) return written;
    const [createdSec, updatedSec] = this.generatedLifetime(slot);
    return deriveAttributes(this.seedOf(slot), slot, createdSec, updatedSec, this.listIds);
  }

  predictiveAnalyticsOf(slot: number): Record<string, unknown> {
    return derivePredictiveAnalytics(this.seedOf(slot), this.anchorSec);
  }

  /** Values a `match` filter compares with; empty when the profile has none. */
  stringValues(slot: number, field: FilterField): string[] {
    switch (field) {
      case 'id':
        return [this.idOf(slot)];
      case 'email':
      case 'phone_number':
      case 'external_id':
        return stringOrNothing(this.identityValue(slot, field));
      case 'subscriptions.email.marketing.suppression.reason':
        return this.suppressions(slot).flatMap((entry) => stringOrNothing(entry['reason']));
      case 'subscriptions.email.marketing.list_suppressions.reason':
        return this.listSuppressions(slot).flatMap((entry) => stringOrNothing(entry['reason']));
      case 'subscriptions.email.marketing.list_suppressions.list_id':
        return this.listSuppressions(slot).flatMap((entry) => stringOrNothing(entry['list_id']));
      default:
        return [];
    }
  }

  /** Instants (epoch ms) a `range` filter compares with; empty when the profile has none. */
  instants(slot: number, field: FilterField): number[] {
    switch (field) {
      case 'created':
        return numberOrNothing(this.createdMs[slot]);
      case 'updated':
        return numberOrNothing(this.updatedMs[slot]);
      case 'subscriptions.email.marketing.suppression.timestamp':
        return this.suppressions(slot).flatMap((entry) => instantOrNothing(entry['timestamp']));
      case 'subscriptions.email.marketing.list_suppressions.timestamp':
        return this.listSuppressions(slot).flatMap((entry) => instantOrNothing(entry['timestamp']));
      default:
        return [];
    }
  }

  sortKey(slot: number, field: SortField, descending: boolean): SortKey {
    switch (field) {
      case 'id':
        return this.idOf(slot);
      case 'email':
        return this.identityValue(slot, 'email');
      case 'created':
      case 'updated':
      case 'subscriptions.email.marketing.suppression.timestamp':
      case 'subscriptions.email.marketing.list_suppressions.timestamp': {
        // Array-valued keys sort by their earliest element ascending and latest descending, so
        // each direction is the exact reverse of the other apart from the missing values.
        const instants = this.instants(slot, field);
        if (instants.length === 0) return null;
        return descending ? Math.max(...instants) : Math.min(...instants);
      }
    }
  }

  index(field: SortField, descending: boolean): SortedIndex {
    const name = `${descending ? '-' : ''}${field}`;
    let index = this.indexes.get(name);
    if (!index) {
      index = new SortedIndex(this, field, descending);
      this.indexes.set(name, index);
    }
    index.ensureBuilt();
    return index;
  }

  /** The serialized resource of `slot` for a response `shape`, built once by `build` while memory allows. */
  serializedResource(slot: number, shape: string, build: () => string): string {
    if (shape !== this.serializedShape) {
      this.serialized.clear();
      this.serializedShape = shape;
    }
    const cached = this.serialized.get(slot);
    if (cached !== undefined) return cached;
    const json = build();
    if (this.serialized.size < MAX_SERIALIZED) this.serialized.set(slot, json);
    return json;
  }

  /** The profile with this email (any case) or phone number, if any. */
  slotByIdentity(field: IdentityField, value: string): number | undefined {
    const key = identityKey(field, value);
    let slot = this.identityIndex(field).get(key);
    if (slot === undefined && this.staleIdentityIndexes.has(field)) {
      this.identityIndexes.delete(field);
      this.staleIdentityIndexes.delete(field);
      slot = this.identityIndex(field).get(key);
    }
    return slot;
  }

  /** Replaces a profile's attributes, keeping `created`/`updated` columns and indexes in step. */
  write(slot: number, attributes: ProfileAttributes): void {
    for (const index of this.indexes.values()) index.remove(slot);
    const before = [...this.identityIndexes.keys()].map((field) => [field, this.identityValue(slot, field)] as const);
    this.serialized.delete(slot);
    this.written.set(slot, attributes);
    for (const [field, value] of before) {
      if (value === this.identityValue(slot, field)) continue;
      if (value !== null) this.forgetIdentity(slot, field, value);
      this.rememberIdentity(slot);
    }
    this.createdMs[slot] = instantOf(attributes.created);
    this.updatedMs[slot] = instantOf(attributes.updated);
    for (const index of this.indexes.values()) index.insert(slot);
  }

  add(attributes: ProfileAttributes, at: number): string {
    let id = makeProfileId(at, this.addedIdRng);
    while (this.slotById.has(id)) id = makeProfileId(at, this.addedIdRng);
    const slot = this.slots;
    this.grow(slot + 1);
    this.ids.push(id);
    this.seeds[slot] = Math.floor(this.addedIdRng() * 4294967296);
    this.alive[slot] = 1;
    this.slots++;
    this.live++;
    this.slotById.set(id, slot);
    this.written.set(slot, attributes);
    this.rememberIdentity(slot);
    this.createdMs[slot] = instantOf(attributes.created);
    this.updatedMs[slot] = instantOf(attributes.updated);
    for (const index of this.indexes.values()) index.insert(slot);
    return id;
  }

  delete(slot: number): void {
    for (const index of this.indexes.values()) index.remove(slot);
    for (const field of this.identityIndexes.keys()) {
      const value = this.identityValue(slot, field);
      if (value !== null) this.forgetIdentity(slot, field, value);
    }
    this.serialized.delete(slot);
    this.alive[slot] = 0;
    this.live--;
    this.slotById.delete(this.idOf(slot));
    this.written.delete(slot);
  }

  private grow(needed: number): void {
    if (needed <= this.createdMs.length) return;
    const capacity = Math.max(needed, Math.ceil(this.createdMs.length * 1.5), 16);
    this.createdMs = resized(this.createdMs, new Float64Array(capacity));
    this.updatedMs = resized(this.updatedMs, new Float64Array(capacity));
    this.seeds = resized(this.seeds, new Uint32Array(capacity));
    this.alive = resized(this.alive, new Uint8Array(capacity));
  }

  private identityIndex(field: IdentityField): Map<string, number> {
    let index = this.identityIndexes.get(field);
    if (!index) {
      index = new Map();
      for (let slot = 0; slot < this.slots; slot++) {
        if (this.alive[slot] !== 1) continue;
        const value = this.identityValue(slot, field);
        if (value !== null && !index.has(identityKey(field, value))) index.set(identityKey(field, value), slot);
      }
      this.identityIndexes.set(field, index);
    }
    return index;
  }

  private forgetIdentity(slot: number, field: IdentityField, value: string): void {
    const index = this.identityIndexes.get(field);
    if (index?.get(identityKey(field, value)) !== slot) return;
    index.delete(identityKey(field, value));
    this.staleIdentityIndexes.add(field);
  }

  private rememberIdentity(slot: number): void {
    for (const [field, index] of this.identityIndexes) {
      const value = this.identityValue(slot, field);
      if (value === null) continue;
      const key = identityKey(field, value);
      const holder = index.get(key);
      if (holder === undefined || holder > slot) index.set(key, slot);
    }
  }

  private seedOf(slot: number): number {
    const seed = this.seeds[slot];
    if (seed === undefined) throw new RangeError(`no profile in slot ${slot}`);
    return seed;
  }

  /** created/updated in seconds of a profile nobody has written to, i.e. as generated. */
  private generatedLifetime(slot: number): [number, number] {
    const created = this.createdMs[slot];
    const updated = this.updatedMs[slot];
    if (created === undefined || updated === undefined) throw new RangeError(`no profile in slot ${slot}`);
    return [created / 1000, updated / 1000];
  }

  private identityValue(slot: number, field: 'email' | 'phone_number' | 'external_id'): string | null {
    const written = this.written.get(slot);
    const value = written ? written[field] : deriveIdentity(this.seedOf(slot), slot)[field];
    return typeof value === 'string' ? value : null;
  }

  private subscriptionsOf(slot: number): Subscriptions | null | undefined {
    const written = this.written.get(slot);
    if (written) return written.subscriptions;
    const seed = this.seedOf(slot);
    const [createdSec, updatedSec] = this.generatedLifetime(slot);
    return deriveSubscriptions(seed, deriveIdentity(seed, slot), createdSec, updatedSec, this.listIds);
  }

  /** A profile's global (`suppression`) or per-list (`list_suppressions`) email suppression entries. */
  suppressionEntries(slot: number, kind: 'global' | 'list'): Array<Record<string, unknown>> {
    return kind === 'global' ? this.suppressions(slot) : this.listSuppressions(slot);
  }

  private suppressions(slot: number): Array<Record<string, unknown>> {
    return recordsIn(this.subscriptionsOf(slot)?.email?.marketing?.suppression);
  }

  private listSuppressions(slot: number): Array<Record<string, unknown>> {
    return recordsIn(this.subscriptionsOf(slot)?.email?.marketing?.list_suppressions);
  }
}

export type IdentityField = 'email' | 'phone_number';

function identityKey(field: IdentityField, value: string): string {
  return field === 'email' ? value.trim().toLowerCase() : value;
}

/** Attributes for a profile created by a write, every key present as Klaviyo would return it. */
export function newProfileAttributes(given: Partial<ProfileAttributes>, atSec: number): ProfileAttributes {
  const timestamp = formatSeconds(atSec);
  const phone = typeof given.phone_number === 'string' ? given.phone_number : null;
  return {
    email: null,
    phone_number: null,
    external_id: null,
    first_name: null,
    last_name: null,
    organization: null,
    locale: null,
    title: null,
    image: null,
    last_event_date: null,
    location: null,
    properties: {},
    subscriptions: neverSubscribed(phone !== null),
    ...structuredClone(given),
    created: timestamp,
    updated: timestamp,
  };
}

function neverSubscribed(hasPhone: boolean): Subscriptions {
  const sms = { consent: 'NEVER_SUBSCRIBED', consent_timestamp: null, method: null, method_detail: null, last_updated: null };
  return {
    email: { marketing: neverSubscribedEmailMarketing() },
    ...(hasPhone
      ? {
          sms: {
            marketing: { can_receive_sms_marketing: false, ...sms },
            transactional: { can_receive_sms_transactional: false, ...sms },
          },
        }
      : {}),
  };
}

function resized<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function instantOf(value: unknown): number {
  return typeof value === 'string' ? (parseInstant(value) ?? Number.NaN) : Number.NaN;
}

function stringOrNothing(value: unknown): string[] {
  return typeof value === 'string' ? [value] : [];
}

function numberOrNothing(value: number | undefined): number[] {
  return value === undefined || Number.isNaN(value) ? [] : [value];
}

function instantOrNothing(value: unknown): number[] {
  return numberOrNothing(instantOf(value));
}

function recordsIn(list: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(list)) return [];
  return list.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null);
}
