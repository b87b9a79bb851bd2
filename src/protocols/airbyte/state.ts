import { ConfigError } from '../../common/errors.js';
import { isObject } from '../../common/json.js';
import type { Logger } from '../../common/logger.js';
import type { StreamState } from '../../engine/events.js';
import { STREAM_LIST, streamNamed } from '../../streams/registry.js';

const SHAPE = 'Expected the Airbyte state array ([{"type":"STREAM","stream":{"stream_descriptor":{"name":"profile_consent"},"stream_state":{...}}}], one entry per stream), a legacy object ({"profile_consent": {...}}), or an empty file.';

/** Stream states by stream name, from any state form Airbyte has used. */
function rawStreamStates(raw: unknown): Map<string, unknown> {
  const states = new Map<string, unknown>();
  if (raw === undefined || raw === null) return states;
  if (isObject(raw) && 'bookmarks' in raw) {
    throw new ConfigError(`The state file is a Singer state ({"bookmarks": ...}). Pass it to tap-klaviyo-consent, or convert it: ${SHAPE}`);
  }
  // A whole STATE message, as a script may save the last line of a run.
  const unwrapped = isObject(raw) && raw.type === 'STATE' && isObject(raw.state) ? raw.state : raw;
  const messages = Array.isArray(unwrapped) ? unwrapped : isObject(unwrapped) && typeof unwrapped.type === 'string' ? [unwrapped] : undefined;
  if (!messages) {
    if (!isObject(unwrapped)) throw new ConfigError(`The state file is not a state. ${SHAPE}`);
    for (const [name, value] of Object.entries(unwrapped)) states.set(name, value);
    return states;
  }
  for (const [index, message] of messages.entries()) {
    const where = `state[${index}]`;
    if (!isObject(message)) throw new ConfigError(`${where} is not an object. ${SHAPE}`);
    const type = message.type ?? 'LEGACY';
    if (type === 'STREAM') {
      const stream = isObject(message.stream) ? message.stream : undefined;
      const name = isObject(stream?.stream_descriptor) ? stream.stream_descriptor.name : undefined;
      if (typeof name !== 'string') throw new ConfigError(`${where}: stream.stream_descriptor.name is missing. ${SHAPE}`);
      states.set(name, stream?.stream_state);
    } else if (type === 'GLOBAL') {
      const global = isObject(message.global) ? message.global : undefined;
      const entries = Array.isArray(global?.stream_states) ? global.stream_states : [];
      for (const [i, entry] of entries.entries()) {
        const name = isObject(entry) && isObject(entry.stream_descriptor) ? entry.stream_descriptor.name : undefined;
        if (typeof name !== 'string') throw new ConfigError(`${where}: global.stream_states[${i}] has no stream_descriptor.name. ${SHAPE}`);
        states.set(name, (entry as Record<string, unknown>).stream_state);
      }
    } else if (type === 'LEGACY') {
      const data = message.data;
      if (!isObject(data)) throw new ConfigError(`${where}: a LEGACY state needs a "data" object. ${SHAPE}`);
      for (const [name, value] of Object.entries(data)) states.set(name, value);
    } else {
      throw new ConfigError(`${where}: unknown state type ${JSON.stringify(type)}. ${SHAPE}`);
    }
  }
  return states;
}

/**
 * Parses the --state input into this source's per-stream states. A state that names other streams only is
 * refused: reading it as "no state" would silently re-sync everything, and usually means a wrong file.
 */
export function parseAirbyteState(raw: unknown, logger: Logger): Map<string, StreamState> {
  const parsed = new Map<string, StreamState>();
  const states = rawStreamStates(raw);
  for (const [name, value] of states) {
    const stream = streamNamed(name);
    if (!stream) {
      logger.warn(`The state has an entry for stream "${name}", which this source does not have; it is ignored.`);
      continue;
    }
    parsed.set(name, stream.parseState(value, 'state'));
  }
  if (states.size > 0 && parsed.size === 0) {
    throw new ConfigError(`The state has entries for ${[...states.keys()].map((n) => `"${n}"`).join(', ')} but none for ${STREAM_LIST}, so it is not this source's state. Pass this source's last state, or an empty file to sync everything.`);
  }
  return parsed;
}
