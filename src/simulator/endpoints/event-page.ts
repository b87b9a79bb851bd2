import type { CursorPosition } from '../rules/cursor.js';
import type { EventStore } from '../store/event-store.js';
import type { EventsFilterField } from '../rules/events-contract.js';
import { satisfiesRange, type FilterCondition } from '../rules/filter-parser.js';
import type { EventsQuery } from './events-query.js';

export interface EventPage {
  rows: number[];
  next: CursorPosition | undefined;
}

type Condition = FilterCondition<EventsFilterField>;

/**
 * Keyset paging over the events in time order. The filter's bounds on datetime/timestamp become
 * binary-searched positions; metric and profile conditions are checked row by row from there.
 */
export function selectEventPage(events: EventStore, query: EventsQuery): EventPage {
  const order = events.order(query.descending);
  const ranges = query.conditions.filter((condition) => condition.kind === 'range');
  const others = query.conditions.filter((condition) => condition.kind !== 'range');
  const lowerOk = (seconds: number): boolean => ranges.every((c) => !isLowerBound(c) || inRange(seconds, c));
  const upperOk = (seconds: number): boolean => ranges.every((c) => isLowerBound(c) || inRange(seconds, c));
  // Along the order, the rows that pass every bound form one run: from the first row past the
  // bound that time approaches from, up to the first row beyond the bound it leaves through.
  const [entering, leaving] = query.descending ? [upperOk, lowerOk] : [lowerOk, upperOk];
  const low = order.firstWhere(entering);
  const high = Math.max(low, order.firstWhere((seconds) => !leaving(seconds)));
  const start = query.after ? Math.max(low, order.positionAfter(Number(query.after.key), query.after.id)) : low;

  const wanted = query.pageSize + 1;
  const found: number[] = [];
  for (let position = start; position < high && found.length < wanted; position++) {
    const row = order.rowAt(position);
    if (others.every((condition) => matches(events, row, condition))) found.push(row);
  }
  if (found.length < wanted) return { rows: found, next: undefined };
  const rows = found.slice(0, query.pageSize);
  const last = rows[rows.length - 1];
  if (last === undefined) return { rows, next: undefined };
  return { rows, next: { sort: query.sort, key: events.secondsOf(last), id: events.idOf(last) } };
}

function isLowerBound(condition: Condition): boolean {
  return condition.kind === 'range' && (condition.operator === 'greater-than' || condition.operator === 'greater-or-equal');
}

function inRange(seconds: number, condition: Condition): boolean {
  return condition.kind !== 'range' || satisfiesRange(seconds * 1000, condition.operator, condition.instant);
}

function matches(events: EventStore, row: number, condition: Condition): boolean {
  switch (condition.kind) {
    case 'match': {
      const value = condition.field === 'metric_id' ? events.metricIdOf(row) : events.profileIdOf(row);
      return condition.values.includes(value);
    }
    case 'range':
      return inRange(events.secondsOf(row), condition);
    case 'has':
      // Every simulated event has both a profile and a metric.
      return true;
    case 'none':
      return false;
  }
}
