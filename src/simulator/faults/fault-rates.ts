/**
 * How often the GET endpoints misbehave on purpose: each rate is the probability (0..1) that one
 * request gets that fault; at most one fault per request, so the rates add up to at most 1.
 */
export interface FaultRates {
  /** 429 with Klaviyo's throttled body and `Retry-After: 1`; does not use up the rate-limit window. */
  throttle?: number;
  /** 500, 502, 503 or 504 with Klaviyo's JSON:API error body. */
  serverError?: number;
  /** The connection is reset with no response at all. */
  reset?: number;
  /** 200 with the JSON:API content type and a body that is not JSON. */
  garbage?: number;
  /** Seed of the fault sequence; default 1. The same seed and request order give the same faults. */
  seed?: number;
}

export type FaultKind = 'throttle' | 'serverError' | 'reset' | 'garbage';

/** Kinds in the order their probability intervals are laid out on [0, 1). */
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'serverError', 'reset', 'garbage'];

export type FaultCounts = Record<FaultKind, number>;

export function noFaults(): FaultCounts {
  return { throttle: 0, serverError: 0, reset: 0, garbage: 0 };
}

const MAX_SEED = 0xffff_ffff;
// Rates such as 0.1 + 0.2 + 0.3 + 0.4 add up to a hair over 1 in floating point.
const SUM_TOLERANCE = 1e-9;

/** For messages: 0.3 + 0.3 + 0.3 + 0.2 reads 1.1, not 1.0999999999999999. */
export function roundedSum(sum: number): number {
  return Number(sum.toFixed(6));
}

/** Throws a RangeError naming the offending field; returns the rates with defaults filled in. */
export function checkedFaultRates(rates: FaultRates): Required<FaultRates> {
  for (const key of Object.keys(rates)) {
    if (key !== 'seed' && !(FAULT_KINDS as readonly string[]).includes(key)) {
      throw new RangeError(`faults.${key} is not a fault; use ${FAULT_KINDS.join(', ')} or seed.`);
    }
  }
  const checked: Required<FaultRates> = { throttle: 0, serverError: 0, reset: 0, garbage: 0, seed: 1 };
  let sum = 0;
  for (const kind of FAULT_KINDS) {
    const rate = rates[kind] ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new RangeError(`faults.${kind} must be a probability from 0 to 1, got ${String(rate)}.`);
    }
    checked[kind] = rate;
    sum += rate;
  }
  if (sum > 1 + SUM_TOLERANCE) {
    throw new RangeError(`The fault rates add up to ${roundedSum(sum)}; at most one fault hits a request, so their sum must be at most 1.`);
  }
  const seed = rates.seed ?? 1;
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)) {
    throw new RangeError(`faults.seed must be an integer from 0 to ${MAX_SEED}, got ${String(seed)}.`);
  }
  checked.seed = seed;
  return checked;
}
