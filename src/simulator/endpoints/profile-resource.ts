import type { ProfileAttributes, ProfileResource } from '../../klaviyo/types.js';
import type { ProfileStore } from '../store/profile-store.js';
import type { ProfilesQuery } from './profiles-query.js';

interface RelationshipLinks {
  links: { self: string; related: string };
  data?: never[];
}

/** A profile as GET /api/profiles returns it; src/klaviyo/types.ts leaves relationships out. */
export interface ProfileWireResource extends ProfileResource {
  relationships: Record<string, RelationshipLinks>;
  links: { self: string };
}

export function profileResource(store: ProfileStore, slot: number, query: ProfilesQuery, baseUrl: string): ProfileWireResource {
  const id = store.idOf(slot);
  const stored = store.attributesOf(slot);
  const attributes: ProfileAttributes = {};
  for (const [name, value] of Object.entries(stored)) {
    if (name !== 'subscriptions') attributes[name] = value;
  }
  if (query.additionalFields.has('subscriptions')) attributes.subscriptions = stored.subscriptions ?? null;
  if (query.additionalFields.has('predictive_analytics')) attributes['predictive_analytics'] = store.predictiveAnalyticsOf(slot);

  const profileUrl = `${baseUrl}/api/profiles/${id}`;
  const relationship = (name: string): RelationshipLinks => ({
    links: { self: `${profileUrl}/relationships/${name}/`, related: `${profileUrl}/${name}/` },
  });
  const relationships: Record<string, RelationshipLinks> = { lists: relationship('lists'), segments: relationship('segments') };
  for (const name of query.include) relationships[name] = { data: [], ...relationship(name) };

  return {
    type: 'profile',
    id,
    // Shares nested objects with the store: the page is serialised at once and never mutated.
    attributes: query.profileFields ? selectFields(attributes, query.profileFields) : attributes,
    relationships,
    links: { self: `${profileUrl}/` },
  };
}

type Selection = Map<string, Selection | 'all'>;

/** Sparse fieldsets: keeps the listed (dotted) paths, in the profile's own key order. */
function selectFields(attributes: ProfileAttributes, paths: readonly string[]): ProfileAttributes {
  const selection: Selection = new Map();
  for (const path of paths) {
    let level = selection;
    const names = path.split('.');
    for (const [depth, name] of names.entries()) {
      const existing = level.get(name);
      if (existing === 'all') break;
      if (depth === names.length - 1) {
        level.set(name, 'all');
        break;
      }
      const next: Selection = existing ?? new Map();
      level.set(name, next);
      level = next;
    }
  }
  return pick(attributes, selection);
}

function pick(source: Record<string, unknown>, selection: Selection): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(source)) {
    const wanted = selection.get(name);
    if (wanted === undefined) continue;
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    picked[name] = wanted === 'all' || !isObject ? value : pick(value as Record<string, unknown>, wanted);
  }
  return picked;
}
