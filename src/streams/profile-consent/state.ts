import type { ValidateFunction } from 'ajv';
import { normalizeDateTime } from '../../common/datetime.js';
import { ConfigError } from '../../common/errors.js';
import type { ProfileConsentState } from '../../generated/profile-consent-state.js';
import generatedValidateState from '../../generated/validate-profile-consent-state.js';

export type { ProfileConsentState };

// Compiled from schemas/profile_consent_state.json at build time. It checks the shape only: formats are
// checked by parseDateTime below, which also accepts the date-only and offset forms we write in docs.
const validateState = generatedValidateState as unknown as ValidateFunction<ProfileConsentState>;

/**
 * Validates a profile_consent stream state from any protocol face. `where` says where it came from, for the
 * message. A state we cannot understand is an error, never a silent full resync.
 */
export function parseProfileConsentState(raw: unknown, where: string): ProfileConsentState {
  if (raw === undefined || raw === null) return {};
  if (!validateState(raw)) {
    const detail = (validateState.errors ?? []).map((e) => `${e.instancePath || 'state'} ${e.message ?? ''}`).join('; ');
    throw new ConfigError(`${where}: the profile_consent state must be an object like {"updated": "2024-01-31T00:00:00Z"} (${detail}). Fix the state file, or remove it to sync everything again.`);
  }
  const state = { ...(raw as ProfileConsentState) };
  // Unknown keys are kept (a newer version may add some), but a state with keys and none this version knows
  // is a typo or another connector's state: reading it as empty would silently re-sync everything.
  const keys = Object.keys(state);
  if (keys.length > 0 && !keys.some((key) => (KNOWN as readonly string[]).includes(key))) {
    throw new ConfigError(`${where}: the profile_consent state has none of the keys this connector writes (${KNOWN.join(', ')}); it has ${keys.map((k) => `"${k}"`).join(', ')}. Fix the key, or pass an empty state to sync everything again.`);
  }
  for (const key of INSTANTS) {
    const value = state[key];
    if (value === undefined) continue;
    const normalized = normalizeDateTime(value);
    if (!normalized) {
      throw new ConfigError(`${where}: the profile_consent state's "${key}" is "${String(value)}", not a date-time. Use RFC 3339 like 2024-01-31T00:00:00Z, or remove the state to sync everything again.`);
    }
    state[key] = normalized;
  }
  return state;
}

/** The state's instants: one watermark per detector and the full pass bookkeeping. */
const INSTANTS = ['updated', 'suppressions_since', 'events_since', 'last_full_pass', 'full_pass_started'] as const;
const KNOWN = [...INSTANTS, 'full_refresh_in_progress'] as const;
