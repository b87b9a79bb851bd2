import { describe, expect, it, vi } from 'vitest';
import { encodeCursor } from '../../src/simulator/rules/cursor.js';
import { selectPage } from '../../src/simulator/endpoints/page-selector.js';
import { ProfileStore } from '../../src/simulator/store/profile-store.js';
import { parseProfilesQuery } from '../../src/simulator/endpoints/profiles-query.js';

const PROFILES = 20_000;
const NOW = { epoch: 0, nowMs: Date.now(), maxAgeMs: undefined };

describe('page cost with sort=updated', () => {
  const store = new ProfileStore(PROFILES, 1, new Date('2026-11-01T00:00:00Z'));
  store.index('updated', false);
  store.index('updated', true);

  function costOf(query: Record<string, string>): { rows: number; keyReads: number; filterReads: number } {
    const sortKey = vi.spyOn(store, 'sortKey');
    const instants = vi.spyOn(store, 'instants');
    const page = selectPage(store, parseProfilesQuery(new URLSearchParams(query), NOW));
    const cost = { rows: page.slots.length, keyReads: sortKey.mock.calls.length, filterReads: instants.mock.calls.length };
    sortKey.mockRestore();
    instants.mockRestore();
    return cost;
  }

  it('reads O(log n + page size) rows, with a cursor and a range filter, in both directions', () => {
    const middle = store.index('updated', false).slotAt(PROFILES / 2);
    const key = store.sortKey(middle, 'updated', false) as number;
    const since = new Date(key - 3 * 86_400_000).toISOString();
    for (const sort of ['updated', '-updated']) {
      const cursor = encodeCursor({ sort, key, id: store.idOf(middle) }, NOW);
      const cost = costOf({ sort, 'page[size]': '50', 'page[cursor]': cursor, filter: `greater-than(updated,${since})` });
      expect(cost.rows, sort).toBeGreaterThan(0);
      // About 3 binary searches of log2(20000) ≈ 15 steps, one filter check per row (51 rows read for
      // a page of 50) and one key for the next cursor; sort keys are read through instants() too.
      expect(cost.keyReads, sort).toBeLessThan(100);
      expect(cost.filterReads, sort).toBeLessThan(160);
    }
  });
});
