import type { ValidateFunction } from 'ajv';
import { normalizeDateTime } from '../../common/datetime.js';
import { ConfigError } from '../../common/errors.js';
import type { ConsentEventsState } from '../../generated/consent-events-state.js';
import generatedValidateState from '../../generated/validate-consent-events-state.js';

export type { ConsentEventsState };

// Compiled from schemas/consent_events_state.json at build time; formats are checked below.
const validateState = generatedValidateState as unknown as ValidateFunction<ConsentEventsState>;
const KNOWN = ['datetime', 'metrics', 'last_full_read', 'full_refresh_in_progress'] as const;

/**
 * Validates a consent_events stream state from any protocol face; `where` says where it came from. A state we
 * cannot understand is an error, never a silent re-read of every event.
 */
export function parseConsentEventsState(raw: unknown, where: string): ConsentEventsState {
  if (raw === undefined || raw === null) return {};
  const fix = 'Fix the state file, or remove the consent_events entry to read every event again.';
  if (!validateState(raw)) {
    const detail = (validateState.errors ?? []).map((e) => `${e.instancePath || 'state'} ${e.message ?? ''}`).join('; ');
    throw new ConfigError(`${where}: the consent_events state must be an object like {"datetime": "2024-01-31T00:00:00Z"} (${detail}). ${fix}`);
  }
  const state: ConsentEventsState = { ...(raw as ConsentEventsState) };
  const keys = Object.keys(state);
  if (keys.length > 0 && !keys.some((key) => (KNOWN as readonly string[]).includes(key))) {
    throw new ConfigError(`${where}: the consent_events state has none of the keys this connector writes (${KNOWN.join(', ')}); it has ${keys.map((k) => `"${k}"`).join(', ')}. ${fix}`);
  }
  const instant = (key: string, value: unknown): string => {
    const normalized = typeof value === 'string' ? normalizeDateTime(value) : undefined;
    if (!normalized) throw new ConfigError(`${where}: the consent_events state's "${key}" is "${String(value)}", not a date-time. Use RFC 3339 like 2024-01-31T00:00:00Z. ${fix}`);
    return normalized;
  };
  if (state.datetime !== undefined) state.datetime = instant('datetime', state.datetime);
  if (state.last_full_read !== undefined) state.last_full_read = instant('last_full_read', state.last_full_read);
  if (state.metrics !== undefined) {
    state.metrics = Object.fromEntries(Object.entries(state.metrics).map(([id, value]) => [id, instant(`metrics.${id}`, value)]));
  }
  return state;
}
