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
//
// `epoch` counts KlaviyoSimulator.expireCursors() calls: a cursor names the epoch it was issued in
// and is refused in any later one. Epoch 0 keeps the original four-field form, so cursors are
// byte-identical until cursors are first expired.
export function encodeCursor(position: CursorPosition, epoch = 0): string {
  const fields: unknown[] = [1, position.sort, position.key, position.id];
  if (epoch !== 0) fields.push(epoch);
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, keyType: 'number' | 'string', epoch = 0): CursorPosition {
  const invalid = (why: string, advice = 'Use the links.next URL of the previous page unchanged.'): never => {
    throw new QueryError('page[cursor]', `Invalid page cursor: ${why}. ${advice}`);
  };
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) invalid('not a cursor issued by this API');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid('not a cursor issued by this API');
  }
  if (!Array.isArray(decoded) || (decoded.length !== 4 && decoded.length !== 5) || decoded[0] !== 1) {
    return invalid('not a cursor issued by this API');
  }
  const [, cursorSort, key, id, issuedIn = 0] = decoded as unknown[];
  if (typeof cursorSort !== 'string' || typeof id !== 'string' || id === '') return invalid('not a cursor issued by this API');
  const keyIsValid = key === null || (typeof key === keyType && (typeof key !== 'number' || Number.isFinite(key)));
  if (!keyIsValid) return invalid('not a cursor issued by this API');
  const epochIsValid = typeof issuedIn === 'number' && Number.isInteger(issuedIn) && (decoded.length === 4 || issuedIn >= 1);
  if (!epochIsValid || issuedIn > epoch) return invalid('not a cursor issued by this API');
  if (issuedIn < epoch) return invalid('it has expired', 'Start again from the first page of the query.');
  if (cursorSort !== sort) return invalid(`it was issued for sort '${cursorSort}', not '${sort}'`);
  return { sort: cursorSort, key: key as SortKey, id };
}
