/** Keys a platform may add to a config on its own: Airbyte and others prefix their internal keys with `_`. */
export function isTolerated(key: string): boolean {
  return key.startsWith('_');
}

/** Edit distance (insertions, deletions, substitutions, and a swap of neighbours counted as one). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The known key a mistyped one most likely meant, if one is close enough to suggest. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const normalized = key.toLowerCase().replace(/[-\s]/g, '_');
  if (known.includes(normalized)) return normalized;
  // A key with words left out or added ("lookback", "max_lists"): the shortest setting that contains it.
  const containing = normalized.length >= 4 ? known.filter((candidate) => candidate.includes(normalized) || normalized.includes(candidate)) : [];
  if (containing.length > 0) return containing.sort((a, b) => a.length - b.length)[0];
  let best: { key: string; score: number } | undefined;
  for (const candidate of known) {
    const score = distance(normalized, candidate);
    if (!best || score < best.score) best = { key: candidate, score };
  }
  // A typo: within a third of the key's length, and at least 2 edits.
  return best && best.score <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

/** Keys of a config that no setting has (and no platform adds), each with the nearest known key. */
export function unknownSettings(raw: Record<string, unknown>, known: readonly string[]): Array<{ key: string; suggestion: string | undefined }> {
  return Object.keys(raw)
    .filter((key) => !known.includes(key) && !isTolerated(key))
    .map((key) => ({ key, suggestion: nearestKey(key, known) }));
}
