export interface EventRows {
  readonly size: number;
  secondsOf(row: number): number;
  idOf(row: number): string;
}

/**
 * Event rows in one direction of time, ties by id ascending in both directions, so every event has
 * one fixed place and keyset paging never skips or repeats one. Built on first use; afterwards each
 * new event is inserted in place (new events are usually the newest, so this is cheap).
 */
export class EventOrder {
  private order = new Int32Array(0);
  private length = 0;
  private built = false;

  constructor(
    private readonly rows: EventRows,
    readonly descending: boolean,
  ) {}

  get size(): number {
    this.ensureBuilt();
    return this.length;
  }

  rowAt(position: number): number {
    this.ensureBuilt();
    const row = this.order[position];
    if (position >= this.length || row === undefined) throw new RangeError(`position ${position} is past the end`);
    return row;
  }

  /** Negative when (secondsA, idA) comes first in this order. */
  compare(secondsA: number, idA: string, secondsB: number, idB: string): number {
    if (secondsA !== secondsB) return (secondsA < secondsB) !== this.descending ? -1 : 1;
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  }

  /** First position whose row comes strictly after (seconds, id): where the page after a cursor starts. */
  positionAfter(seconds: number, id: string): number {
    return this.firstPosition((row) => this.compare(this.rows.secondsOf(row), this.rows.idOf(row), seconds, id) > 0);
  }

  /** First position whose seconds pass `test`; `test` must be false then true along the order. */
  firstWhere(test: (seconds: number) => boolean): number {
    return this.firstPosition((row) => test(this.rows.secondsOf(row)));
  }

  /** Call after adding `row` to the rows. */
  insert(row: number): void {
    if (!this.built) return;
    const position = this.positionAfter(this.rows.secondsOf(row), this.rows.idOf(row));
    if (this.length === this.order.length) {
      const grown = new Int32Array(Math.max(1024, this.order.length * 2));
      grown.set(this.order);
      this.order = grown;
    }
    this.order.copyWithin(position + 1, position, this.length);
    this.order[position] = row;
    this.length++;
  }

  private ensureBuilt(): void {
    if (this.built) return;
    const count = this.rows.size;
    const rows = Array.from({ length: count }, (_, row) => row);
    rows.sort((a, b) => this.compare(this.rows.secondsOf(a), this.rows.idOf(a), this.rows.secondsOf(b), this.rows.idOf(b)));
    this.order = new Int32Array(Math.max(1024, count * 2));
    this.order.set(rows);
    this.length = count;
    this.built = true;
  }

  private firstPosition(test: (row: number) => boolean): number {
    this.ensureBuilt();
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (test(this.rowAt(middle))) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
