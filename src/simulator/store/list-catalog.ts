import { deriveSeed, mulberry32, randomInt, type Rng } from '../generation/prng.js';
import { makeListId } from './ids.js';
import { formatSeconds } from './timestamps.js';

export interface List {
  id: string;
  name: string;
  created: string;
  updated: string;
  opt_in_process: 'double_opt_in' | 'single_opt_in';
}

const LIST_NAMES = ['Newsletter', 'VIP Customers', 'Back in Stock', 'Preference Centre: Offers', 'SMS Subscribers', 'Wholesale', 'Events', 'Blog Digest'];
const LISTS_SALT = 0x115;
const DAY = 86_400;

/**
 * The account's lists: what Get Lists serves, and the only list ids that profiles' `list_suppressions` and the
 * bulk jobs' list relationships name. Ids derive from the seed alone.
 */
export class ListCatalog {
  private readonly lists: List[] = [];
  private readonly byIdMap = new Map<string, List>();
  private readonly rng: Rng;

  constructor(seed: number, anchor: Date, count: number) {
    if (!Number.isSafeInteger(count) || count < 0 || count > 100_000) throw new RangeError(`lists must be an integer from 0 to 100000, got ${count}`);
    this.rng = mulberry32(deriveSeed(seed, LISTS_SALT));
    const anchorSec = Math.floor(anchor.getTime() / 1000);
    for (let i = 0; i < count; i++) {
      const base = LIST_NAMES[i % LIST_NAMES.length] ?? 'List';
      const name = i < LIST_NAMES.length ? base : `${base} ${Math.floor(i / LIST_NAMES.length) + 1}`;
      // Every other list asks for double opt-in, so an account of two lists or more has both kinds.
      this.create(name, anchorSec - randomInt(this.rng, 30 * DAY, 900 * DAY), i % 2 === 1 ? 'double_opt_in' : 'single_opt_in');
    }
  }

  /** Adds a list created at `atSec`; returns it. */
  create(name: string, atSec: number, optInProcess: List['opt_in_process'] = 'single_opt_in'): List {
    let id = makeListId(this.rng);
    while (this.byIdMap.has(id)) id = makeListId(this.rng);
    const list: List = { id, name, created: formatSeconds(atSec), updated: formatSeconds(atSec), opt_in_process: optInProcess };
    this.lists.push(list);
    this.byIdMap.set(id, list);
    return list;
  }

  /** In creation order. */
  all(): readonly List[] {
    return this.lists;
  }

  ids(): readonly string[] {
    return this.lists.map((list) => list.id);
  }

  byId(id: string): List | undefined {
    return this.byIdMap.get(id);
  }
}
