/**
 * mulberry32: tiny, fast and good enough for fake data. Math.random is never used because the same
 * seed must give byte-identical profiles on every machine and every run.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max], both inclusive. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function chance(rng: Rng, probability: number): boolean {
  return rng() < probability;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick() needs a non-empty list');
  return item;
}

/** Picks by weight; weights need not sum to 1. */
export function pickWeighted<T>(rng: Rng, choices: ReadonlyArray<readonly [T, number]>): T {
  let total = 0;
  for (const [, weight] of choices) total += weight;
  let roll = rng() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (last === undefined) throw new Error('pickWeighted() needs a non-empty list');
  return last[0];
}

/** Derives an independent 32-bit seed, so separate parts of a profile can be regenerated on their own. */
export function deriveSeed(seed: number, salt: number): number {
  let h = Math.imul((seed ^ salt) >>> 0, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
