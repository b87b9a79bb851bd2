export type SortKey = number | string | null;

/** Where the previous page stopped: the last row's sort key and id, under one sort. */
export interface CursorPosition {
  sort: string;
  key: SortKey;
  id: string;
}

/**
 * When cursors stop working. `epoch` counts KlaviyoSimulator.expireCursors() calls: a cursor names the epoch
 * it was issued in and is refused in any later one. `maxAgeMs`, when set, refuses cursors issued longer ago
 * than that (Klaviyo's cursors are not permanent; its staff give about three days). `nowMs` is the request's
 * arrival.
 */
export interface CursorPolicy {
  epoch: number;
  nowMs: number;
  maxAgeMs: number | undefined;
}

/**
 * Refused cursors, whatever the reason (expired, forged, issued for another sort), get one answer: the body
 * Klaviyo has been seen to send (klaviyo-rules.md: community thread 6355, klaviyo-api-python issue 9), which
 * names no parameter.
 */
export class InvalidCursorError extends Error {
  constructor(readonly why: string) {
    super(`Invalid cursor provided (${why}).`);
    this.name = 'InvalidCursorError';
  }
}

// Keyset cursors rather than offsets: a profile that changes mid-scan moves in the order and is met
// again at its new place, and no row is skipped because earlier rows moved away.
export function encodeCursor(position: CursorPosition, policy: CursorPolicy): string {
  const fields: unknown[] = [1, position.sort, position.key, position.id, policy.epoch, Math.floor(policy.nowMs)];
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, keyType: 'number' | 'string', policy: CursorPolicy): CursorPosition {
  const invalid = (why: string): never => {
    throw new InvalidCursorError(why);
  };
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) invalid('not a cursor issued by this API');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid('not a cursor issued by this API');
  }
  if (!Array.isArray(decoded) || decoded.length !== 6 || decoded[0] !== 1) return invalid('not a cursor issued by this API');
  const [, cursorSort, key, id, issuedIn, issuedAt] = decoded as unknown[];
  if (typeof cursorSort !== 'string' || typeof id !== 'string' || id === '') return invalid('not a cursor issued by this API');
  const keyIsValid = key === null || (typeof key === keyType && (typeof key !== 'number' || Number.isFinite(key)));
  if (!keyIsValid) return invalid('not a cursor issued by this API');
  if (typeof issuedIn !== 'number' || !Number.isInteger(issuedIn) || issuedIn < 0 || issuedIn > policy.epoch) return invalid('not a cursor issued by this API');
  if (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt) || issuedAt > policy.nowMs + 1000) return invalid('not a cursor issued by this API');
  if (issuedIn < policy.epoch) return invalid('expired by expireCursors()');
  if (policy.maxAgeMs !== undefined && policy.nowMs - issuedAt > policy.maxAgeMs) return invalid(`older than ${policy.maxAgeMs / 1000} s`);
  if (cursorSort !== sort) return invalid(`issued for sort '${cursorSort}', not '${sort}'`);
  return { sort: cursorSort, key: key as SortKey, id };
}
