// What GET /api/lists accepts, per Klaviyo's OpenAPI spec (revision 2026-07-15). The conformance test compares
// these with the spec itself, so drift shows up as a failing test.
import type { FilterFieldRule } from './api-contract.js';
import type { ParameterRules } from '../endpoints/query-params.js';

export const LISTS_SCOPE = 'lists:read';
/** Klaviyo pages lists ten at a time at most (klaviyo-rules.md; OpenAPI: Default 10, Min 1, Max 10). */
export const LISTS_DEFAULT_PAGE_SIZE = 10;
export const LISTS_MAX_PAGE_SIZE = 10;

export const LISTS_FILTER_FIELDS = {
  name: { valueType: 'string', single: [], list: ['any', 'equals'] },
  id: { valueType: 'string', single: ['equals'], list: ['any', 'equals'] },
  created: { valueType: 'date-time', single: ['greater-than'], list: [] },
  updated: { valueType: 'date-time', single: ['greater-than'], list: [] },
} as const satisfies Record<string, FilterFieldRule>;

export type ListsFilterField = keyof typeof LISTS_FILTER_FIELDS;

export const LISTS_SORT_VALUES: readonly string[] = ['created', '-created', 'id', '-id', 'name', '-name', 'updated', '-updated'];

export const LIST_FIELDS: readonly string[] = ['created', 'id', 'name', 'opt_in_process', 'updated'];

export const LISTS_QUERY_PARAMETERS: ParameterRules = {
  'fields[flow]': ['archived', 'created', 'id', 'name', 'status', 'trigger_type', 'updated'],
  'fields[list]': LIST_FIELDS,
  'fields[tag]': ['id', 'name'],
  filter: undefined,
  include: ['flow-triggers', 'tags'],
  'page[cursor]': undefined,
  'page[size]': undefined,
  sort: LISTS_SORT_VALUES,
};
