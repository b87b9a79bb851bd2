import { ConfigError } from '../../common/errors.js';
import { isObject } from '../../common/json.js';
import type { SyncMode } from '../../engine/events.js';
import { CURSOR_FIELD, PRIMARY_KEY, recordSchema, STREAM_NAME } from '../../streams/profile-consent/schema.js';

type Breadcrumb = string[];
interface MetadataEntry {
  breadcrumb: Breadcrumb;
  metadata: Record<string, unknown>;
}

const KEY_PROPERTIES = PRIMARY_KEY.map((path) => path[0] as string);
const AUTOMATIC = new Set([...KEY_PROPERTIES, ...CURSOR_FIELD]);

/** The Singer catalog, with the metadata Meltano and the Singer spec read for selection. Static: no network. */
export function singerCatalog() {
  const metadata: MetadataEntry[] = [
    {
      breadcrumb: [],
      metadata: {
        inclusion: 'available',
        'selected-by-default': true,
        'table-key-properties': KEY_PROPERTIES,
        'valid-replication-keys': CURSOR_FIELD,
        'replication-key': CURSOR_FIELD[0],
        // Both INCREMENTAL and FULL_TABLE work, so no forced-replication-method.
        'replication-method': 'INCREMENTAL',
      },
    },
    ...Object.keys(recordSchema.properties).map((name) => ({
      breadcrumb: ['properties', name],
      metadata: { inclusion: AUTOMATIC.has(name) ? 'automatic' : 'available', 'selected-by-default': true },
    })),
  ];
  return {
    streams: [
      {
        tap_stream_id: STREAM_NAME,
        stream: STREAM_NAME,
        schema: recordSchema,
        key_properties: KEY_PROPERTIES,
        replication_key: CURSOR_FIELD[0],
        replication_method: 'INCREMENTAL',
        metadata,
      },
    ],
  };
}

export interface SingerSelection {
  stream: string;
  mode: SyncMode;
  /** Record properties to emit, schema order; undefined means all. */
  properties: string[] | undefined;
}

/** `selected` arrives as a boolean, or as the string "true" from some tools. */
function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}
function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

/**
 * What to sync, from a catalog given with --catalog/--properties, or everything when there is none.
 * Follows the Singer spec and Meltano: a stream or property without `selected` falls back to
 * `selected-by-default`; `automatic` properties are always emitted, `unsupported` ones never.
 */
export function selectionsFromCatalog(raw: unknown): SingerSelection[] {
  if (raw === undefined) return [{ stream: STREAM_NAME, mode: 'incremental', properties: undefined }];
  const streams = (raw as { streams?: unknown })?.streams;
  if (!Array.isArray(streams)) throw new ConfigError('The catalog must be an object with a "streams" array. Run the tap with --discover to get one.');
  const selections: SingerSelection[] = [];
  for (const [index, entry] of streams.entries()) {
    const where = `catalog streams[${index}]`;
    if (!isObject(entry)) throw new ConfigError(`${where} is not an object. Run the tap with --discover to get a catalog.`);
    const id = typeof entry.tap_stream_id === 'string' ? entry.tap_stream_id : entry.stream;
    if (typeof id !== 'string') throw new ConfigError(`${where}: tap_stream_id is missing.`);
    if (id !== STREAM_NAME) throw new ConfigError(`${where}: unknown stream "${id}". This tap has one stream: ${STREAM_NAME}.`);
    if (entry.metadata !== undefined && !Array.isArray(entry.metadata)) throw new ConfigError(`${where}: metadata must be an array of {breadcrumb, metadata} entries.`);
    const metadata = (entry.metadata ?? []) as unknown[];
    const byPath = new Map<string, Record<string, unknown>>();
    for (const [i, m] of metadata.entries()) {
      if (!isObject(m) || !Array.isArray(m.breadcrumb) || (m.metadata !== undefined && !isObject(m.metadata))) {
        throw new ConfigError(`${where}: metadata[${i}] must be {"breadcrumb": [...], "metadata": {...}}.`);
      }
      byPath.set(m.breadcrumb.join('/'), (m.metadata as Record<string, unknown> | undefined) ?? {});
    }
    const top = byPath.get('') ?? {};
    const streamSelected = 'selected' in top ? isTrue(top.selected) : !isFalse(top['selected-by-default'] ?? true);
    if (!streamSelected) continue;

    const method = top['replication-method'] ?? entry.replication_method ?? 'INCREMENTAL';
    if (method !== 'INCREMENTAL' && method !== 'FULL_TABLE') {
      throw new ConfigError(`${where}: replication-method ${JSON.stringify(method)} is not supported. Use INCREMENTAL or FULL_TABLE.`);
    }
    const key = top['replication-key'];
    if (key !== undefined && key !== CURSOR_FIELD[0]) {
      throw new ConfigError(`${where}: replication-key ${JSON.stringify(key)} is not possible; this stream's replication key is "${CURSOR_FIELD[0]}".`);
    }
    const properties = Object.keys(recordSchema.properties).filter((name) => {
      const m = byPath.get(`properties/${name}`) ?? {};
      if (AUTOMATIC.has(name) || m.inclusion === 'automatic') return true;
      if (m.inclusion === 'unsupported') return false;
      return 'selected' in m ? isTrue(m.selected) : !isFalse(m['selected-by-default'] ?? true);
    });
    selections.push({
      stream: id,
      mode: method === 'FULL_TABLE' ? 'full_refresh' : 'incremental',
      properties: properties.length === Object.keys(recordSchema.properties).length ? undefined : properties,
    });
  }
  return selections;
}

/** The record schema narrowed to the selected properties. */
export function projectedSchema(properties: string[] | undefined): object {
  if (!properties) return recordSchema;
  const keep = new Set(properties);
  return {
    ...recordSchema,
    properties: Object.fromEntries(Object.entries(recordSchema.properties).filter(([name]) => keep.has(name))),
    required: recordSchema.required.filter((name) => keep.has(name)),
  };
}
