import type { StreamState } from '../engine/events.js';
import * as consentEvents from './consent-events/schema.js';
import { parseConsentEventsState } from './consent-events/state.js';
import * as profileConsent from './profile-consent/schema.js';
import { parseProfileConsentState } from './profile-consent/state.js';
import type { RecordSchema } from './record-schema.js';

/** What the protocol faces need to know of a stream: its schema, keys, cursor and state. */
export interface StreamDefinition {
  name: string;
  recordSchema: RecordSchema;
  primaryKey: string[][];
  cursorField: string[];
  /** Validates this stream's state from any face; `where` names where it came from in messages. */
  parseState(raw: unknown, where: string): StreamState;
  /**
   * Whether a Singer catalog selects it unless told otherwise. The history is opt-in: a runner that passes back
   * the discovered catalog after an upgrade should not start reading every consent event unasked.
   */
  selectedByDefault: boolean;
}

export const STREAMS: readonly StreamDefinition[] = [
  { name: profileConsent.STREAM_NAME, recordSchema: profileConsent.recordSchema, primaryKey: profileConsent.PRIMARY_KEY, cursorField: profileConsent.CURSOR_FIELD, parseState: parseProfileConsentState, selectedByDefault: true },
  { name: consentEvents.STREAM_NAME, recordSchema: consentEvents.recordSchema, primaryKey: consentEvents.PRIMARY_KEY, cursorField: consentEvents.CURSOR_FIELD, parseState: parseConsentEventsState, selectedByDefault: false },
];

/** The stream read when no catalog selects any: the consent state, as before consent_events existed. */
export const DEFAULT_STREAM = profileConsent.STREAM_NAME;

export function streamNamed(name: string): StreamDefinition | undefined {
  return STREAMS.find((stream) => stream.name === name);
}

export const STREAM_LIST = STREAMS.map((s) => s.name).join(' and ');
