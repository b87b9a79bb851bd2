import { ConfigError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { STREAM_NAME } from '../../streams/profile-consent/schema.js';
import { parseProfileConsentState, type ProfileConsentState } from '../../streams/profile-consent/state.js';

const SHAPE = 'Expected the Airbyte state array ([{"type":"STREAM","stream":{"stream_descriptor":{"name":"profile_consent"},"stream_state":{...}}}]), a legacy object ({"profile_consent": {...}}), or an empty file.';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stream states by stream name, from any state form Airbyte has used. */
function rawStreamStates(raw: unknown): Map<string, unknown> {
  const states = new Map<string, unknown>();
  if (raw === undefined || raw === null) return states;
  const messages = Array.isArray(raw) ? raw : isObject(raw) && typeof raw.type === 'string' ? [raw] : undefined;
  if (!messages) {
    if (!isObject(raw)) throw new ConfigError(`The state file is not a state. ${SHAPE}`);
    for (const [name, value] of Object.entries(raw)) states.set(name, value);
    return states;
  }
  for (const [index, message] of messages.entries()) {
    const where = `state[${index}]`;
    if (!isObject(message)) throw new ConfigError(`${where} is not an object. ${SHAPE}`);
    const type = message.type ?? 'LEGACY';
    if (type === 'STREAM') {
      const stream = message.stream as { stream_descriptor?: { name?: unknown }; stream_state?: unknown } | undefined;
      const name = stream?.stream_descriptor?.name;
      if (typeof name !== 'string') throw new ConfigError(`${where}: stream.stream_descriptor.name is missing. ${SHAPE}`);
      states.set(name, stream?.stream_state);
    } else if (type === 'GLOBAL') {
      const global = message.global as { stream_states?: Array<{ stream_descriptor?: { name?: unknown }; stream_state?: unknown }> } | undefined;
      for (const entry of global?.stream_states ?? []) {
        if (typeof entry.stream_descriptor?.name === 'string') states.set(entry.stream_descriptor.name, entry.stream_state);
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

/** Parses the --state input into this source's per-stream states. */
export function parseAirbyteState(raw: unknown, logger: Logger): Map<string, ProfileConsentState> {
  const parsed = new Map<string, ProfileConsentState>();
  for (const [name, value] of rawStreamStates(raw)) {
    if (name !== STREAM_NAME) {
      logger.warn(`The state has an entry for stream "${name}", which this source does not have; it is ignored.`);
      continue;
    }
    parsed.set(name, parseProfileConsentState(value, 'state'));
  }
  return parsed;
}
