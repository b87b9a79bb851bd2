import { ConfigError } from '../../common/errors.js';
import { isObject } from '../../common/json.js';
import type { Logger } from '../../common/logger.js';
import type { StreamState } from '../../engine/events.js';
import { STREAM_LIST, streamNamed, type StreamDefinition } from '../../streams/registry.js';

const SHAPE = 'Expected {"bookmarks": {"profile_consent": {"updated": "2024-01-31T00:00:00Z"}}} (or the Meltano SDK form with replication_key / replication_key_value), or an empty file.';


export interface SingerState {
  /** Parsed bookmarks of this tap's streams. */
  streams: Map<string, StreamState>;
  /** The whole incoming state, so bookmarks this tap does not own are passed on untouched. */
  passthrough: Record<string, unknown>;
}

/** Reads a Meltano SDK bookmark ({replication_key, replication_key_value}) as our own ({updated}, {datetime}). */
function fromSdkBookmark(stream: StreamDefinition, bookmark: Record<string, unknown>): Record<string, unknown> {
  if (!('replication_key_value' in bookmark)) return bookmark;
  const cursor = stream.cursorField[0] as string;
  const key = bookmark.replication_key ?? cursor;
  if (key !== cursor) {
    throw new ConfigError(`state: the ${stream.name} bookmark's replication_key is ${JSON.stringify(key)}, but this stream is replicated on "${cursor}". Remove the state to sync everything again.`);
  }
  const { replication_key: _key, replication_key_value: value, ...rest } = bookmark;
  return { ...rest, [cursor]: value };
}

export function parseSingerState(raw: unknown, logger: Logger): SingerState {
  const streams = new Map<string, StreamState>();
  if (raw === undefined || raw === null) return { streams, passthrough: {} };
  if (!isObject(raw)) throw new ConfigError(`The state file is not a Singer state. ${SHAPE}`);
  // Some runners store the last STATE message whole; its value is the state.
  const state = raw.type === 'STATE' && isObject(raw.value) ? raw.value : raw;
  if (!('bookmarks' in state)) {
    if (Object.keys(state).length === 0) return { streams, passthrough: {} };
    throw new ConfigError(`The state has no "bookmarks". ${SHAPE}`);
  }
  if (!isObject(state.bookmarks)) throw new ConfigError(`The state's "bookmarks" is not an object. ${SHAPE}`);
  const names = Object.keys(state.bookmarks);
  for (const [name, bookmark] of Object.entries(state.bookmarks)) {
    const stream = streamNamed(name);
    if (!stream) {
      logger.warn(`The state has a bookmark for stream "${name}", which this tap does not have; it is passed on unchanged.`);
      continue;
    }
    if (!isObject(bookmark)) throw new ConfigError(`The state's bookmark for ${name} is not an object. ${SHAPE}`);
    streams.set(name, stream.parseState(fromSdkBookmark(stream, bookmark), 'state'));
  }
  // The Airbyte face's rule too: bookmarks of other streams only are another tap's state, and reading them as
  // "no state" would silently sync everything again.
  if (names.length > 0 && streams.size === 0) {
    throw new ConfigError(`The state has bookmarks for ${names.map((n) => `"${n}"`).join(', ')} but none for ${STREAM_LIST}, so it is not this tap's state. Pass this tap's last state, or an empty file to sync everything.`);
  }
  return { streams, passthrough: state };
}

/** The STATE value to emit: the incoming state with this tap's bookmarks replaced. */
export function stateValue(passthrough: Record<string, unknown>, bookmarks: Map<string, StreamState>): object {
  const previous = isObject(passthrough.bookmarks) ? passthrough.bookmarks : {};
  return { ...passthrough, bookmarks: { ...previous, ...Object.fromEntries(bookmarks) } };
}
