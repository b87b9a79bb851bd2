import type { ProfileAttributes } from '../../klaviyo/types.js';
import type { ConsentEvent } from './consent-changes.js';
import type { EventStore } from './event-store.js';
import type { MetricCatalog } from './metric-catalog.js';
import { newProfileAttributes, type ProfileStore } from './profile-store.js';
import { formatSeconds } from './timestamps.js';

/**
 * Applies consent changes to stored profiles and records their events at the same second.
 * Whether a consent change moves `updated` is the `bumpUpdated` switch: Klaviyo documents `updated`
 * as the last change of a profile *property*, and nothing says consent counts, so by default it does not.
 * A change that sets an identifier (email, phone number) is a property change and always moves it.
 */
export class ConsentWriter {
  constructor(
    private readonly store: ProfileStore,
    private readonly events: EventStore,
    private readonly metrics: MetricCatalog,
    public bumpUpdated: boolean,
  ) {}

  /** Runs `change` on a copy of the profile's attributes, stores it and records the events it returns. */
  apply(slot: number, atMs: number, change: (attributes: ProfileAttributes) => ConsentEvent[]): void {
    const before = this.store.attributesOf(slot);
    const attributes = structuredClone(before);
    const recorded = change(attributes);
    const seconds = Math.floor(atMs / 1000);
    const identityChanged = attributes.email !== before.email || attributes.phone_number !== before.phone_number;
    if (this.bumpUpdated || identityChanged) attributes.updated = formatSeconds(seconds);
    this.store.write(slot, attributes);
    const profileId = this.store.idOf(slot);
    for (const event of recorded) {
      const at = event.atMs === undefined ? seconds : Math.floor(event.atMs / 1000);
      this.events.add({ metricId: this.metrics.consent(event.metric).id, profileId, seconds: at, ...(event.properties ? { properties: event.properties } : {}) });
    }
  }

  /** A profile created by a consent write for an unknown email or phone number: created = updated = now. */
  createProfile(identity: { email?: string; phone_number?: string }, atMs: number): number {
    const seconds = Math.floor(atMs / 1000);
    const id = this.store.add(newProfileAttributes(identity, seconds), seconds * 1000);
    const slot = this.store.slotOf(id);
    if (slot === undefined) throw new Error(`profile ${id} vanished`);
    return slot;
  }
}
