// Klaviyo's rules for filtering Get Profiles on suppressions, published with revision 2023-10-15 in the
// changelogs of its SDKs (klaviyo-api-python 6.0.0, klaviyo-api-node 7.0.0, klaviyo-api-php), "Rules for
// suppression filtering", and in klaviyo-rules.md:
//   - list and global suppression filters may not be mixed;
//   - only one date filter may be given;
//   - a reason is optional;
//   - a list_id is required to filter on any list suppression property.
// The OpenAPI file lists each field and operator on its own and says none of this; the real API answers 400.
import type { FilterCondition } from './filter-parser.js';
import { QueryError } from './query-error.js';

const LIST = 'subscriptions.email.marketing.list_suppressions.';
const GLOBAL = 'subscriptions.email.marketing.suppression.';
export const LIST_ID_FIELD = `${LIST}list_id`;

const isList = (condition: FilterCondition): boolean => condition.kind !== 'none' && condition.field.startsWith(LIST);
const isGlobal = (condition: FilterCondition): boolean => condition.kind !== 'none' && condition.field.startsWith(GLOBAL);
const hasListId = (conditions: readonly FilterCondition[]): boolean =>
  conditions.some((condition) => condition.kind === 'match' && condition.field === LIST_ID_FIELD);

/** Throws Klaviyo's 400 (parameter `filter`, or `sort`) for a query that breaks a suppression rule. */
export function checkSuppressionRules(conditions: readonly FilterCondition[], sort: string): void {
  const list = conditions.filter(isList);
  const global = conditions.filter(isGlobal);
  if (list.length > 0 && global.length > 0) {
    throw new QueryError('filter', 'Invalid filter: list suppression and global suppression filters cannot be combined in one filter.');
  }
  if (list.length + global.length > 0 && conditions.filter((condition) => condition.kind === 'range').length > 1) {
    throw new QueryError('filter', 'Invalid filter: only one date filter may be given when filtering on suppressions.');
  }
  if (list.length > 0 && !hasListId(conditions)) {
    throw new QueryError(
      'filter',
      `Invalid filter: filtering on list suppression properties requires a list id: add equals(${LIST_ID_FIELD},"LIST_ID").`,
    );
  }
  // Not documented either way; klaviyo-rules.md assumes the sort needs the same list id as a filter would.
  if (sort.replace(/^-/, '') === `${LIST}timestamp` && !hasListId(conditions)) {
    throw new QueryError('sort', `Sorting on ${LIST}timestamp requires a list id filter: equals(${LIST_ID_FIELD},"LIST_ID").`);
  }
}
