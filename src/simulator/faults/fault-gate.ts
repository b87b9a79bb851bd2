import type { IncomingHttpHeaders } from 'node:http';
import { REQUIRED_SCOPE } from '../rules/api-contract.js';
import { EVENTS_SCOPE, METRICS_SCOPE } from '../rules/events-contract.js';
import { LISTS_SCOPE } from '../rules/lists-contract.js';
import type { FaultInjector, InjectedFault } from './fault-injector.js';
import type { FaultedResource } from './fault-responses.js';
import { checkCredentials } from '../rules/request-guard.js';
import type { Route } from '../http/routes.js';

type ReadRoute = Exclude<Route, 'bulk-job' | 'bulk-job-status'>;

const READS: Readonly<Record<ReadRoute, { scope: string; resource: FaultedResource }>> = {
  profiles: { scope: REQUIRED_SCOPE, resource: 'profile' },
  metrics: { scope: METRICS_SCOPE, resource: 'metric' },
  events: { scope: EVENTS_SCOPE, resource: 'event' },
  lists: { scope: LISTS_SCOPE, resource: 'list' },
};

export interface FaultGateContext {
  injector: FaultInjector;
  apiKeys: ReadonlyMap<string, readonly string[]>;
  baseUrl: string;
}

/**
 * The fault for a read, if it gets one: only once the key and its scopes check out, so a 401 or 403 stays
 * one and credential errors remain testable. (Consent jobs have writeFaultFor.)
 */
export function faultFor(
  request: { route: Route | undefined; method: string; url: string; headers: IncomingHttpHeaders },
  context: FaultGateContext,
): InjectedFault | undefined {
  const { route } = request;
  if (!context.injector.active || route === undefined || route === 'bulk-job' || route === 'bulk-job-status' || request.method !== 'GET') return undefined;
  const read = READS[route];
  if (checkCredentials(request.headers, context.apiKeys, [read.scope])) return undefined;
  return context.injector.draw(read.resource, `${context.baseUrl}${request.url}`);
}

/**
 * The fault for a consent job's POST, if it gets one, once the key checks out. A faulted job is not applied,
 * whatever the fault: a client that retries it must end at the same state as one that was never faulted.
 */
export function writeFaultFor(request: { url: string; headers: IncomingHttpHeaders }, context: FaultGateContext): InjectedFault | undefined {
  if (!context.injector.active) return undefined;
  if (checkCredentials(request.headers, context.apiKeys, [])) return undefined;
  return context.injector.draw('profile', `${context.baseUrl}${request.url}`);
}
