// What the connector sends depends on the revision it is configured with. Revisions are dates, so the first ten
// characters order them (`2026-07-15`, `2026-07-15.pre`).

/**
 * The oldest revision the connector supports. Klaviyo retires a revision two years after its release (stable
 * for one, deprecated for the next; its "API versioning and deprecation policy"), so every 2024 revision is
 * retired by now, and 2025-01-15 made the `subscriptions` object required in the consent jobs the write side
 * will send (klaviyo-rules.md).
 */
export const OLDEST_SUPPORTED_REVISION = '2025-01-15';

/** Get Events takes `page[size]` (up to 1000) from this revision; before it, pages of 200 and no such parameter. */
export const EVENTS_PAGE_SIZE_SINCE = '2026-01-15';

export function revisionAtLeast(revision: string, since: string): boolean {
  return revision.slice(0, 10) >= since;
}
