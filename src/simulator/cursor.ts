import { QueryError } from './query-error.js';

export type SortKey = number | string | null;

/** Where the previous page stopped: the last row's sort key and id, under one sort. */
export interface CursorPosition {
  sort: string;
  key: SortKey;
  id: string;
}

// Keyset cursors rather than offsets: a profile that changes mid-scan moves in the order and is met
// again at its new place, and no row is skipped because earlier rows moved away.
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([1, position.sort, position.key, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, keyType: 'number' | 'string'): CursorPosition {
  const invalid = (why: string): never => {
    throw new QueryError('page[cursor]', `Invalid page cursor: ${why}. Use the links.next URL of the previous page unchanged.`);
  };
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) invalid('not a cursor issued by this API');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid('not a cursor issued by this API');
  }
  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== 1) return invalid('not a cursor issued by this API');
  const [, cursorSort, key, id] = decoded as unknown[];
  if (typeof cursorSort !== 'string' || typeof id !== 'string' || id === '') return invalid('not a cursor issued by this API');
  const keyIsValid = key === null || (typeof key === keyType && (typeof key !== 'number' || Number.isFinite(key)));
  if (!keyIsValid) return invalid('not a cursor issued by this API');
  if (cursorSort !== sort) return invalid(`it was issued for sort '${cursorSort}', not '${sort}'`);
  return { sort: cursorSort, key: key as SortKey, id };
}
