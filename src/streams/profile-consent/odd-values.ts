// Values Klaviyo sent that the mapper could not read and wrote as null (a boolean "yes", a timestamp "soon").
// Collected per field rather than logged per record: one warning per field per run tells the operator what
// is wrong without flooding the log of a million-profile sync.

export interface OddValues {
  count: number;
  example: string;
}

const seen = new Map<string, OddValues>();

export function noteOddValue(field: string, value: unknown): void {
  const entry = seen.get(field);
  if (entry) entry.count += 1;
  else seen.set(field, { count: 1, example: JSON.stringify(value)?.slice(0, 60) ?? String(value) });
}

/** The odd values noted since the last call, by field; clears them. */
export function takeOddValues(): Map<string, OddValues> {
  const taken = new Map(seen);
  seen.clear();
  return taken;
}
