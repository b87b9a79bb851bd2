import { EventOrder, type EventRows } from './event-order.js';
import { deriveSeed, mulberry32, type Rng } from '../generation/prng.js';

export type EventProperties = Readonly<Record<string, unknown>>;

export interface NewEvent {
  metricId: string;
  profileId: string;
  /** Whole epoch seconds: Klaviyo serves event times to the second. */
  seconds: number;
  properties?: EventProperties;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const EVENT_IDS_SALT = 0xe7e;
/** 100 ns intervals between the Gregorian epoch of UUID v1 (1582-10-15) and the Unix epoch. */
const UUID_EPOCH_OFFSET = 0x01b21dd213814000n;

/**
 * Every event, as columns: tens of thousands cost a few MB. Ids and metric/profile ids are shared
 * strings; properties are kept only where an event has some. Events are never changed or removed.
 */
export class EventStore implements EventRows {
  private readonly ids: string[] = [];
  private readonly metricIds: string[] = [];
  private readonly profileIds: string[] = [];
  private readonly properties: Array<EventProperties | undefined> = [];
  private seconds = new Float64Array(1024);
  private readonly idRng: Rng;
  private readonly uuidNode: string;
  readonly ascending = new EventOrder(this, false);
  readonly descending = new EventOrder(this, true);

  constructor(seed: number) {
    this.idRng = mulberry32(deriveSeed(seed, EVENT_IDS_SALT));
    // The UUID's node part: fixed per simulator, with the multicast bit set as RFC 4122 asks of random nodes.
    const bytes = Array.from({ length: 6 }, () => Math.floor(this.idRng() * 256));
    bytes[0] = (bytes[0] ?? 0) | 1;
    this.uuidNode = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  get size(): number {
    return this.ids.length;
  }

  /** Adds an event and returns its id. */
  add(event: NewEvent): string {
    if (!Number.isInteger(event.seconds)) throw new RangeError(`event seconds must be whole, got ${event.seconds}`);
    const row = this.ids.length;
    const id = this.makeId(row);
    if (row === this.seconds.length) {
      const grown = new Float64Array(this.seconds.length * 2);
      grown.set(this.seconds);
      this.seconds = grown;
    }
    this.ids.push(id);
    this.metricIds.push(event.metricId);
    this.profileIds.push(event.profileId);
    this.properties.push(event.properties && Object.keys(event.properties).length > 0 ? event.properties : undefined);
    this.seconds[row] = event.seconds;
    this.ascending.insert(row);
    this.descending.insert(row);
    return id;
  }

  order(descending: boolean): EventOrder {
    return descending ? this.descending : this.ascending;
  }

  idOf(row: number): string {
    return at(this.ids, row);
  }

  secondsOf(row: number): number {
    if (row >= this.ids.length) throw new RangeError(`no event in row ${row}`);
    return at(this.seconds, row);
  }

  metricIdOf(row: number): string {
    return at(this.metricIds, row);
  }

  profileIdOf(row: number): string {
    return at(this.profileIds, row);
  }

  propertiesOf(row: number): EventProperties {
    return this.properties[row] ?? {};
  }

  /** A time-based (version 1) UUID like Klaviyo's, from the event's time and row: unique, and computed rather than stored. */
  uuidOf(row: number): string {
    const intervals = BigInt(this.secondsOf(row)) * 10_000_000n + BigInt(row % 10_000_000) + UUID_EPOCH_OFFSET;
    const hex = (value: bigint, digits: number): string => value.toString(16).padStart(digits, '0');
    const timeLow = hex(intervals & 0xffffffffn, 8);
    const timeMid = hex((intervals >> 32n) & 0xffffn, 4);
    const timeHigh = hex(((intervals >> 48n) & 0x0fffn) | 0x1000n, 4);
    const clock = hex(0x8000n | BigInt(Math.floor(row / 10_000_000) & 0x3fff), 4);
    return `${timeLow}-${timeMid}-${timeHigh}-${clock}-${this.uuidNode}`;
  }

  /**
   * An 11-character id like Klaviyo's (`4sDShKQjrdT`): six random characters, then the row number in
   * base 62, so ids are unique without a lookup and their order says nothing about time.
   */
  private makeId(row: number): string {
    let id = '';
    for (let i = 0; i < 6; i++) id += BASE62.charAt(Math.floor(this.idRng() * 62));
    let rest = row;
    let suffix = '';
    for (let i = 0; i < 5; i++) {
      suffix = BASE62.charAt(rest % 62) + suffix;
      rest = Math.floor(rest / 62);
    }
    return id + suffix;
  }
}

function at<T>(list: ArrayLike<T>, row: number): T {
  const value = list[row];
  if (value === undefined || row >= list.length) throw new RangeError(`no event in row ${row}`);
  return value;
}
