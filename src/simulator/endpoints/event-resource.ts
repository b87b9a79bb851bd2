import type { EventStore } from '../store/event-store.js';
import { formatSeconds } from '../store/timestamps.js';

interface Relationship<T extends string> {
  data: { type: T; id: string };
  links: { self: string; related: string };
}

export interface EventWireResource {
  type: 'event';
  id: string;
  attributes: Record<string, unknown>;
  relationships: {
    profile: Relationship<'profile'>;
    metric: Relationship<'metric'>;
    attributions?: { data: never[]; links: { self: string; related: string } };
  };
  links: { self: string };
}

/** An event as GET /api/events returns it; `fields` is `fields[event]` when given. No attributions are simulated. */
export function eventResource(
  events: EventStore,
  row: number,
  baseUrl: string,
  options: { fields?: readonly string[]; includeAttributions?: boolean } = {},
): EventWireResource {
  const id = events.idOf(row);
  const seconds = events.secondsOf(row);
  const all: Record<string, unknown> = {
    timestamp: seconds,
    event_properties: events.propertiesOf(row),
    datetime: formatSeconds(seconds),
    uuid: events.uuidOf(row),
  };
  const fields = options.fields;
  const attributes = fields ? Object.fromEntries(Object.entries(all).filter(([name]) => fields.includes(name))) : all;
  const url = `${baseUrl}/api/events/${id}`;
  const links = (name: string) => ({ self: `${url}/relationships/${name}/`, related: `${url}/${name}/` });
  return {
    type: 'event',
    id,
    attributes,
    relationships: {
      profile: { data: { type: 'profile', id: events.profileIdOf(row) }, links: links('profile') },
      metric: { data: { type: 'metric', id: events.metricIdOf(row) }, links: links('metric') },
      ...(options.includeAttributions ? { attributions: { data: [], links: links('attributions') } } : {}),
    },
    links: { self: `${url}/` },
  };
}
