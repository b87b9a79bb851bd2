import { describe, expect, it } from 'vitest';
import { SORT_FIELDS } from '../../src/simulator/rules/api-contract.js';
import { newProfileAttributes, ProfileStore } from '../../src/simulator/store/profile-store.js';
import type { SortedIndex } from '../../src/simulator/store/sorted-index.js';

const ANCHOR = new Date('2026-11-01T00:00:00Z');

function order(index: SortedIndex): number[] {
  return Array.from({ length: index.size }, (_, position) => index.slotAt(position));
}

function expectConsistent(index: SortedIndex, label: string): void {
  for (let position = 1; position < index.size; position++) {
    const comparison = index.compareSlots(index.slotAt(position - 1), index.slotAt(position));
    if (comparison >= 0) expect.fail(`${label}: rows ${position - 1} and ${position} out of order`);
  }
}

describe('SortedIndex', () => {
  it('builds every sort of the spec in the order its own comparison defines', () => {
    const store = new ProfileStore(1500, 2, ANCHOR);
    for (const field of SORT_FIELDS) {
      for (const descending of [false, true]) {
        const index = store.index(field, descending);
        expect(index.size).toBe(1500);
        expectConsistent(index, `${descending ? '-' : ''}${field}`);
      }
    }
  });

  it('stays identical to a fresh build after updates, additions and deletions', () => {
    const store = new ProfileStore(800, 4, ANCHOR);
    const fields = SORT_FIELDS.flatMap((field) => [[field, false], [field, true]] as const);
    for (const [field, descending] of fields) store.index(field, descending);

    for (let slot = 0; slot < 800; slot += 37) {
      const attributes = structuredClone(store.attributesOf(slot));
      attributes.updated = '2026-11-05T00:00:00+00:00';
      attributes.email = slot % 2 === 0 ? null : `changed.${slot}@example.com`;
      const marketing = attributes.subscriptions?.email?.marketing;
      if (marketing) marketing.suppression = slot % 3 === 0 ? [] : [{ reason: 'HARD_BOUNCE', timestamp: '2025-01-01T00:00:00.5+00:00' }];
      store.write(slot, attributes);
    }
    store.add(newProfileAttributes({ email: 'added@example.com' }, Date.parse('2026-11-03T00:00:00Z') / 1000), Date.parse('2026-11-03T00:00:00Z'));
    store.delete(5);

    const fresh = new ProfileStore(800, 4, ANCHOR);
    for (let slot = 0; slot < 800; slot += 37) fresh.write(slot, structuredClone(store.attributesOf(slot)));
    fresh.add(newProfileAttributes({ email: 'added@example.com' }, Date.parse('2026-11-03T00:00:00Z') / 1000), Date.parse('2026-11-03T00:00:00Z'));
    fresh.delete(5);
    for (const [field, descending] of fields) {
      const patched = store.index(field, descending);
      expectConsistent(patched, `patched ${descending ? '-' : ''}${field}`);
      expect(order(patched)).toEqual(order(fresh.index(field, descending)));
    }
  });
});
