import { ConfigError } from '../../common/errors.js';
import { isObject } from '../../common/json.js';
import type { SyncMode } from '../../engine/events.js';
import { DEFAULT_STREAM, STREAMS, STREAM_LIST, streamNamed, type StreamDefinition } from '../../streams/registry.js';

type Breadcrumb = string[];
interface MetadataEntry {
  breadcrumb: Breadcrumb;
  metadata: Record<string, unknown>;
}

const keyProperties = (stream: StreamDefinition) => stream.primaryKey.map((path) => path[0] as string);

/** The Singer catalog, with the metadata Meltano and the Singer spec read for selection. Static: no network. */
export function singerCatalog() {
  return {
    streams: STREAMS.map((stream) => {
      const automatic = new Set([...keyProperties(stream), ...stream.cursorField]);
      const metadata: MetadataEntry[] = [
        {
          breadcrumb: [],
          metadata: {
            inclusion: 'available',
            'selected-by-default': stream.selectedByDefault,
            'table-key-properties': keyProperties(stream),
            'valid-replication-keys': stream.cursorField,
            'replication-key': stream.cursorField[0],
            // Both INCREMENTAL and FULL_TABLE work, so no forced-replication-method.
            'replication-method': 'INCREMENTAL',
          },
        },
        ...Object.keys(stream.recordSchema.properties).map((name) => ({
          breadcrumb: ['properties', name],
          metadata: { inclusion: automatic.has(name) ? 'automatic' : 'available', 'selected-by-default': true },
        })),
      ];
      return {
        tap_stream_id: stream.name,
        stream: stream.name,
        schema: stream.recordSchema,
        key_properties: keyProperties(stream),
        replication_key: stream.cursorField[0],
        replication_method: 'INCREMENTAL',
        metadata,
      };
    }),
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
  // No catalog: the consent state, as before consent_events existed (a catalog selects consent_events).
  if (raw === undefined) return [{ stream: DEFAULT_STREAM, mode: 'incremental', properties: undefined }];
  const streams = (raw as { streams?: unknown })?.streams;
  if (!Array.isArray(streams)) throw new ConfigError('The catalog must be an object with a "streams" array. Run the tap with --discover to get one.');
  const selections: SingerSelection[] = [];
  for (const [index, entry] of streams.entries()) {
    const where = `catalog streams[${index}]`;
    if (!isObject(entry)) throw new ConfigError(`${where} is not an object. Run the tap with --discover to get a catalog.`);
    const id = typeof entry.tap_stream_id === 'string' ? entry.tap_stream_id : entry.stream;
    if (typeof id !== 'string') throw new ConfigError(`${where}: tap_stream_id is missing.`);
    const stream = streamNamed(id);
    if (!stream) throw new ConfigError(`${where}: unknown stream "${id}". This tap's streams are ${STREAM_LIST}.`);
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
    if (key !== undefined && key !== stream.cursorField[0]) {
      throw new ConfigError(`${where}: replication-key ${JSON.stringify(key)} is not possible; ${id}'s replication key is "${stream.cursorField[0]}".`);
    }
    if (selections.some((s) => s.stream === id)) throw new ConfigError(`${where}: stream "${id}" is listed twice.`);
    const automatic = new Set([...keyProperties(stream), ...stream.cursorField]);
    const all = Object.keys(stream.recordSchema.properties);
    const properties = all.filter((name) => {
      const m = byPath.get(`properties/${name}`) ?? {};
      if (automatic.has(name) || m.inclusion === 'automatic') return true;
      if (m.inclusion === 'unsupported') return false;
      return 'selected' in m ? isTrue(m.selected) : !isFalse(m['selected-by-default'] ?? true);
    });
    selections.push({
      stream: id,
      mode: method === 'FULL_TABLE' ? 'full_refresh' : 'incremental',
      properties: properties.length === all.length ? undefined : properties,
    });
  }
  return selections;
}

/** A stream's record schema narrowed to the selected properties. */
export function projectedSchema(streamName: string, properties: string[] | undefined): object {
  const stream = streamNamed(streamName);
  if (!stream) throw new ConfigError(`Unknown stream "${streamName}". This tap's streams are ${STREAM_LIST}.`);
  const { recordSchema } = stream;
  if (!properties) return recordSchema;
  const keep = new Set(properties);
  return {
    ...recordSchema,
    properties: Object.fromEntries(Object.entries(recordSchema.properties).filter(([name]) => keep.has(name))),
    required: recordSchema.required.filter((name) => keep.has(name)),
  };
}
