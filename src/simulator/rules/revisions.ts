// What depends on the `revision` header. Revisions are dates (`2026-07-15`, optionally `.pre` and the like),
// so comparing their first ten characters orders them.

/** The revision from which Get Events takes `page[size]` (1..1000); before it, pages of 200 and no such parameter. */
export const EVENTS_PAGE_SIZE_SINCE = '2026-01-15';

/** The revision from which Get Profiles' steady limit is 750/m (700/m before), and the bulk consent jobs' too. */
export const STEADY_750_SINCE = '2026-01-15';

/** Whether `revision` is `since` or later. */
export function revisionAtLeast(revision: string, since: string): boolean {
  return revision.slice(0, 10) >= since;
}
