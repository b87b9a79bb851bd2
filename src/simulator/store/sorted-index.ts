import type { SortField } from '../rules/api-contract.js';
import type { SortKey } from '../rules/cursor.js';

export interface IndexSource {
  readonly slotCount: number;
  isAlive(slot: number): boolean;
  idOf(slot: number): string;
  slotOf(id: string): number | undefined;
  sortKey(slot: number, field: SortField, descending: boolean): SortKey;
}

/**
 * Live profiles in one sort order: by key (ascending or descending, missing keys last), ties by id
 * ascending, so every row has one fixed place and keyset paging never skips or repeats a row.
 */
export class SortedIndex {
  private order = new Int32Array(0);
  private length = 0;
  private built = false;

  constructor(
    private readonly source: IndexSource,
    readonly field: SortField,
    readonly descending: boolean,
  ) {}

  get size(): number {
    return this.length;
  }

  /** The cursor key type of this order. */
  get keyType(): 'number' | 'string' {
    return this.field === 'id' || this.field === 'email' ? 'string' : 'number';
  }

  ensureBuilt(): void {
    if (this.built) return;
    const source = this.source;
    const slots: number[] = [];
    for (let slot = 0; slot < source.slotCount; slot++) if (source.isAlive(slot)) slots.push(slot);
    const sorted = this.field === 'id' ? this.sortById(slots) : this.sortByKey(slots);
    this.order = new Int32Array(Math.max(16, Math.ceil(sorted.length * 1.1)));
    this.order.set(sorted);
    this.length = sorted.length;
    this.built = true;
  }

  // At a million profiles a comparator sort of strings takes seconds and the engine's own string
  // sort a fraction of that, so string keys are sorted as `key NUL id` composites.
  private sortById(slots: number[]): number[] {
    const ids = slots.map((slot) => this.source.idOf(slot)).sort();
    if (this.descending) ids.reverse();
    return ids.map((id) => this.slotFor(id));
  }

  private sortByKey(slots: number[]): number[] {
    const source = this.source;
    const byId = (a: number, b: number): number => (source.idOf(a) < source.idOf(b) ? -1 : 1);
    const keyed: number[] = [];
    const missing: number[] = [];
    const numbers = new Float64Array(this.keyType === 'number' ? source.slotCount : 0);
    const composites: string[] = [];
    for (const slot of slots) {
      const key = this.keyOf(slot);
      if (key === null) missing.push(slot);
      else if (typeof key === 'number') {
        numbers[slot] = key;
        keyed.push(slot);
      } else composites.push(`${key}\u0000${source.idOf(slot)}`);
    }
    missing.sort(byId);
    if (this.keyType === 'string') return this.sortComposites(composites).concat(missing);
    const direction = this.descending ? -1 : 1;
    keyed.sort((a, b) => {
      const difference = (numbers[a] ?? 0) - (numbers[b] ?? 0);
      return difference === 0 ? byId(a, b) : difference * direction;
    });
    return keyed.concat(missing);
  }

  private sortComposites(composites: string[]): number[] {
    composites.sort();
    const split = composites.map((composite) => {
      const separator = composite.lastIndexOf('\u0000');
      return { key: composite.slice(0, separator), id: composite.slice(separator + 1) };
    });
    if (this.descending) {
      split.reverse();
      // Reversing put equal keys in descending id order; ties must stay ascending by id.
      let runStart = 0;
      for (let i = 1; i <= split.length; i++) {
        if (i === split.length || split[i]?.key !== split[runStart]?.key) {
          if (i - runStart > 1) split.splice(runStart, i - runStart, ...split.slice(runStart, i).reverse());
          runStart = i;
        }
      }
    }
    return split.map(({ id }) => this.slotFor(id));
  }

  private slotFor(id: string): number {
    const slot = this.source.slotOf(id);
    if (slot === undefined) throw new Error(`index out of step: no slot for ${id}`);
    return slot;
  }

  slotAt(position: number): number {
    const slot = this.order[position];
    if (position >= this.length || slot === undefined) throw new RangeError(`position ${position} is past the end`);
    return slot;
  }

  keyAt(position: number): SortKey {
    return this.source.sortKey(this.slotAt(position), this.field, this.descending);
  }

  keyOf(slot: number): SortKey {
    return this.source.sortKey(slot, this.field, this.descending);
  }

  compare(keyA: SortKey, idA: string, keyB: SortKey, idB: string): number {
    if (keyA === null || keyB === null) {
      if (keyA !== keyB) return keyA === null ? 1 : -1;
    } else if (keyA !== keyB) {
      const ascending = keyA < keyB ? -1 : 1;
      return this.descending ? -ascending : ascending;
    }
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  }

  compareSlots(a: number, b: number): number {
    return this.compare(this.keyOf(a), this.source.idOf(a), this.keyOf(b), this.source.idOf(b));
  }

  /** First position whose row sorts strictly after (key, id): where the page after a cursor starts. */
  positionAfter(key: SortKey, id: string): number {
    return this.firstPosition((slot) => this.compare(this.keyOf(slot), this.source.idOf(slot), key, id) > 0);
  }

  /** First position whose key passes `test`; `test` must be false then true along the order. */
  firstWhere(test: (key: SortKey) => boolean): number {
    return this.firstPosition((slot) => test(this.keyOf(slot)));
  }

  /** Call before the row's key changes; afterwards call insert(). */
  remove(slot: number): void {
    if (!this.built) return;
    const key = this.keyOf(slot);
    const id = this.source.idOf(slot);
    const position = this.firstPosition((other) => this.compare(this.keyOf(other), this.source.idOf(other), key, id) >= 0);
    if (this.order[position] !== slot || position >= this.length) {
      // The row is not where its key says: something changed it behind our back. Start over.
      this.built = false;
      return;
    }
    this.order.copyWithin(position, position + 1, this.length);
    this.length--;
  }

  insert(slot: number): void {
    if (!this.built) return;
    const position = this.positionAfter(this.keyOf(slot), this.source.idOf(slot));
    if (this.length === this.order.length) {
      const grown = new Int32Array(Math.max(16, Math.ceil(this.order.length * 1.5)));
      grown.set(this.order);
      this.order = grown;
    }
    this.order.copyWithin(position + 1, position, this.length);
    this.order[position] = slot;
    this.length++;
  }

  private firstPosition(test: (slot: number) => boolean): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (test(this.slotAt(middle))) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
