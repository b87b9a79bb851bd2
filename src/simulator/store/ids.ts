import type { Rng } from '../generation/prng.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CROCKFORD_CODES = Array.from(CROCKFORD, (char) => char.charCodeAt(0));

// Built from char codes in one go: concatenating 26 characters would leave a rope of cons-strings
// per id, several times the memory of a flat string, and a million ids are kept.
const idCodes = new Array<number>(26).fill(0);

/**
 * A ULID-shaped profile id like Klaviyo's (`01GDDKASAP8TKDDA2GRZDSVP4H`): 10 characters of
 * millisecond time, then 16 random characters. Uniqueness is the caller's job (it checks its index).
 */
export function makeProfileId(epochMs: number, rng: Rng): string {
  let remaining = Math.max(0, Math.floor(epochMs));
  for (let i = 9; i >= 0; i--) {
    idCodes[i] = CROCKFORD_CODES[remaining % 32] ?? 48;
    remaining = Math.floor(remaining / 32);
  }
  for (let i = 10; i < 26; i++) idCodes[i] = CROCKFORD_CODES[Math.floor(rng() * 32)] ?? 48;
  return String.fromCharCode(...idCodes);
}

/** Short alphanumeric id in the style of Klaviyo list ids (`Y6nRLr`). */
export function makeListId(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 6; i++) id += alphabet.charAt(Math.floor(rng() * alphabet.length));
  return id;
}
