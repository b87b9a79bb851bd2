import type { SimulatedResponse } from '../rules/error-responses.js';
import { checkedFaultRates, FAULT_KINDS, type FaultKind, type FaultRates } from './fault-rates.js';
import { injectedGarbage, injectedServerError, injectedThrottle, type FaultedResource } from './fault-responses.js';
import { deriveSeed, mulberry32, type Rng } from '../generation/prng.js';

export type InjectedFault = { kind: 'reset' } | { kind: Exclude<FaultKind, 'reset'>; reply: SimulatedResponse };

const DECISIONS_SALT = 0xfa017;
const DETAILS_SALT = 0xfa018;

/**
 * Decides, request by request, whether to misbehave and how. Two streams: one draw per request
 * decides the kind, so which requests fail does not depend on what a fault looked like (the 5xx
 * status or garbage body, drawn from the second stream).
 */
export class FaultInjector {
  private rates: Required<FaultRates> | undefined;
  private decisions: Rng = mulberry32(0);
  private details: Rng = mulberry32(0);

  constructor(rates: FaultRates | undefined) {
    this.configure(rates);
  }

  /** Validates and installs new rates, restarting the sequence from their seed. */
  configure(rates: FaultRates | undefined): void {
    const checked = rates === undefined ? undefined : checkedFaultRates(rates);
    this.rates = checked && FAULT_KINDS.some((kind) => checked[kind] > 0) ? checked : undefined;
    const seed = checked?.seed ?? 1;
    this.decisions = mulberry32(deriveSeed(seed, DECISIONS_SALT));
    this.details = mulberry32(deriveSeed(seed, DETAILS_SALT));
  }

  /** False when no rate is above 0: requests then skip the injector altogether. */
  get active(): boolean {
    return this.rates !== undefined;
  }

  /** This request's fault, or undefined to answer it normally. */
  draw(resource: FaultedResource, selfUrl: string): InjectedFault | undefined {
    const kind = this.kindFor(this.decisions());
    switch (kind) {
      case undefined:
        return undefined;
      case 'reset':
        return { kind };
      case 'throttle':
        return { kind, reply: injectedThrottle() };
      case 'serverError':
        return { kind, reply: injectedServerError(this.details) };
      case 'garbage':
        return { kind, reply: injectedGarbage(this.details, resource, selfUrl) };
    }
  }

  /** Lays the rates end to end on [0, 1); a rate of 0 is an empty interval and never fires. */
  private kindFor(roll: number): FaultKind | undefined {
    if (!this.rates) return undefined;
    let upTo = 0;
    for (const kind of FAULT_KINDS) {
      upTo += this.rates[kind];
      if (roll < upTo) return kind;
    }
    return undefined;
  }
}
