import { satisfiesRange, type FilterCondition } from '../rules/filter-parser.js';
import type { CursorPosition, SortKey } from '../rules/cursor.js';
import type { ProfileStore } from '../store/profile-store.js';
import { cursorOf, type ProfilesQuery } from './profiles-query.js';
import type { SortedIndex } from '../store/sorted-index.js';
import { parseInstant } from '../store/timestamps.js';

export interface SelectedPage {
  slots: number[];
  /** Set when more matching rows follow. */
  next: CursorPosition | undefined;
}

/**
 * Keyset paging over a sorted index. For `created`/`updated` sorts the filter's range on the sort
 * field becomes binary-searched bounds, so a page costs O(log n + page size) however many profiles
 * there are; other filters are checked row by row.
 */
export function selectPage(store: ProfileStore, query: ProfilesQuery): SelectedPage {
  const index = store.index(query.sortField, query.descending);
  const cursor = cursorOf(query, index.keyType);
  const matches = matcher(store, query.conditions);
  const wanted = query.pageSize + 1;
  const found: number[] = [];

  const idCandidates = candidatesById(store, query.conditions);
  if (idCandidates) {
    const ordered = idCandidates.sort((a, b) => index.compareSlots(a, b));
    for (const slot of ordered) {
      if (found.length === wanted) break;
      if (cursor && index.compare(index.keyOf(slot), store.idOf(slot), cursor.key, cursor.id) <= 0) continue;
      if (matches(slot)) found.push(slot);
    }
  } else {
    const [low, high] = rangeOnSortField(index, query.conditions);
    const start = cursor ? Math.max(low, index.positionAfter(cursor.key, cursor.id)) : low;
    for (let position = start; position < high && found.length < wanted; position++) {
      const slot = index.slotAt(position);
      if (matches(slot)) found.push(slot);
    }
  }

  if (found.length < wanted) return { slots: found, next: undefined };
  const slots = found.slice(0, query.pageSize);
  const last = slots[slots.length - 1];
  if (last === undefined) return { slots, next: undefined };
  return { slots, next: { sort: query.sort, key: index.keyOf(last), id: store.idOf(last) } };
}

const ENTRY_PREFIXES = { global: 'subscriptions.email.marketing.suppression.', list: 'subscriptions.email.marketing.list_suppressions.' } as const;

/**
 * Whether a profile passes every condition. Conditions on one kind of suppression entry (reason, timestamp,
 * list id) must hold for the same entry: "suppressed from list X after T" is not "suppressed from list X, and
 * from some list after T".
 */
function matcher(store: ProfileStore, conditions: readonly FilterCondition[]): (slot: number) => boolean {
  const entryConditions = (Object.keys(ENTRY_PREFIXES) as Array<keyof typeof ENTRY_PREFIXES>).map(
    (kind) => [kind, conditions.filter((c) => c.kind !== 'none' && c.field.startsWith(ENTRY_PREFIXES[kind]))] as const,
  );
  const plain = conditions.filter((c) => c.kind === 'none' || !Object.values(ENTRY_PREFIXES).some((prefix) => c.field.startsWith(prefix)));
  return (slot) =>
    plain.every((condition) => satisfies(store, slot, condition)) &&
    entryConditions.every(
      ([kind, onEntry]) => onEntry.length === 0 || store.suppressionEntries(slot, kind).some((entry) => onEntry.every((c) => entrySatisfies(entry, c, ENTRY_PREFIXES[kind]))),
    );
}

function entrySatisfies(entry: Record<string, unknown>, condition: FilterCondition, prefix: string): boolean {
  if (condition.kind === 'none' || condition.kind === 'has') return condition.kind === 'has';
  const value = entry[condition.field.slice(prefix.length)];
  if (condition.kind === 'match') return typeof value === 'string' && condition.values.includes(value);
  const instant = typeof value === 'string' ? parseInstant(value) : undefined;
  return instant !== undefined && satisfiesRange(instant, condition.operator, condition.instant);
}

function satisfies(store: ProfileStore, slot: number, condition: FilterCondition): boolean {
  switch (condition.kind) {
    case 'none':
      return false;
    case 'has':
      return true;
    case 'match':
      return store.stringValues(slot, condition.field).some((value) => condition.values.includes(value));
    case 'range':
      return store.instants(slot, condition.field).some((instant) => satisfiesRange(instant, condition.operator, condition.instant));
  }
}

/** Looking ids up beats scanning when the filter names them. */
function candidatesById(store: ProfileStore, conditions: readonly FilterCondition[]): number[] | undefined {
  const byId = conditions.find((condition) => condition.kind === 'match' && condition.field === 'id');
  if (!byId || byId.kind !== 'match') return undefined;
  const slots = new Set<number>();
  for (const id of byId.values) {
    const slot = store.slotOf(id);
    if (slot !== undefined) slots.add(slot);
  }
  return [...slots];
}

/**
 * Positions [low, high) that can satisfy the filter's strict bounds on the sort field itself.
 * Rows without a key sort last and never satisfy a bound, so they are cut off as well.
 */
function rangeOnSortField(index: SortedIndex, conditions: readonly FilterCondition[]): [number, number] {
  let after: number | undefined;
  let before: number | undefined;
  for (const condition of conditions) {
    if (condition.kind !== 'range' || condition.field !== index.field) continue;
    if (index.field !== 'created' && index.field !== 'updated') continue;
    if (condition.operator === 'greater-than') after = Math.max(after ?? -Infinity, condition.instant);
    if (condition.operator === 'less-than') before = Math.min(before ?? Infinity, condition.instant);
  }
  if (after === undefined && before === undefined) return [0, index.size];
  const lowerBound = after;
  const upperBound = before;
  const inOrder = (test: (key: number) => boolean): number =>
    index.firstWhere((key: SortKey) => key === null || (typeof key === 'number' && test(key)));
  if (!index.descending) {
    const low = lowerBound === undefined ? 0 : inOrder((key) => key > lowerBound);
    const high = upperBound === undefined ? inOrder(() => false) : inOrder((key) => key >= upperBound);
    return [low, Math.max(low, high)];
  }
  const low = upperBound === undefined ? 0 : inOrder((key) => key < upperBound);
  const high = lowerBound === undefined ? inOrder(() => false) : inOrder((key) => key <= lowerBound);
  return [low, Math.max(low, high)];
}
