import { ConfigError } from '../../common/errors.js';
import type { StreamRequest, SyncMode } from '../../engine/events.js';
import { STREAMS, streamNamed } from '../../streams/registry.js';
import type { AirbyteStream } from './messages.js';

export function discoverStreams(): AirbyteStream[] {
  return STREAMS.map((stream) => ({
    name: stream.name,
    json_schema: stream.recordSchema,
    supported_sync_modes: ['full_refresh', 'incremental'],
    source_defined_cursor: true,
    default_cursor_field: stream.cursorField,
    source_defined_primary_key: stream.primaryKey,
    is_resumable: true,
  }));
}

const SYNC_MODES: SyncMode[] = ['full_refresh', 'incremental'];

/** The streams a configured catalog asks for, checked against what discover offers. */
export function streamsFromConfiguredCatalog(raw: unknown): Array<{ stream: string; mode: SyncMode }> {
  const fix = 'Run discover and build the configured catalog from its output.';
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { streams?: unknown }).streams)) {
    throw new ConfigError(`The catalog must be a configured catalog: an object with a "streams" array. ${fix}`);
  }
  const offered = new Map(discoverStreams().map((s) => [s.name, s]));
  const selected: Array<{ stream: string; mode: SyncMode }> = [];
  for (const [index, entry] of ((raw as { streams: unknown[] }).streams).entries()) {
    const where = `catalog streams[${index}]`;
    const configured = entry as { stream?: { name?: unknown }; sync_mode?: unknown; cursor_field?: unknown };
    const name = configured?.stream?.name;
    if (typeof name !== 'string') throw new ConfigError(`${where}: stream.name is missing. ${fix}`);
    const stream = offered.get(name);
    if (!stream) throw new ConfigError(`${where}: unknown stream "${name}". This source offers: ${[...offered.keys()].join(', ')}.`);
    const mode = configured.sync_mode;
    if (typeof mode !== 'string' || !SYNC_MODES.includes(mode as SyncMode)) {
      throw new ConfigError(`${where}: sync_mode ${JSON.stringify(mode)} is not supported by ${name}. Use "full_refresh" or "incremental".`);
    }
    const cursor = configured.cursor_field;
    const own = streamNamed(name)?.cursorField[0];
    if (cursor !== undefined && !(Array.isArray(cursor) && (cursor.length === 0 || (cursor.length === 1 && cursor[0] === own)))) {
      throw new ConfigError(`${where}: cursor_field ${JSON.stringify(cursor)} is not possible for ${name}; its cursor is defined by the source: ["${own}"].`);
    }
    if (selected.some((s) => s.stream === name)) throw new ConfigError(`${where}: stream "${name}" is listed twice.`);
    selected.push({ stream: name, mode: mode as SyncMode });
  }
  return selected;
}

export type { StreamRequest };
