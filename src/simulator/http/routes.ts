import { SUBSCRIBE_PATH, SUPPRESS_PATH, UNSUBSCRIBE_PATH, UNSUPPRESS_PATH } from '../rules/bulk-jobs-contract.js';

export type Route = 'profiles' | 'metrics' | 'events' | 'lists' | 'bulk-job' | 'bulk-job-status';

const ROUTES = new Map<string, Route>();
for (const [path, route] of [
  ['/api/profiles', 'profiles'],
  ['/api/metrics', 'metrics'],
  ['/api/events', 'events'],
  ['/api/lists', 'lists'],
  [SUBSCRIBE_PATH, 'bulk-job'],
  [UNSUBSCRIBE_PATH, 'bulk-job'],
  [SUPPRESS_PATH, 'bulk-job'],
  [UNSUPPRESS_PATH, 'bulk-job'],
] as const) {
  ROUTES.set(path, route);
  ROUTES.set(`${path}/`, route);
}

/** `/api/profile-suppression-bulk-(create|delete)-jobs/{id}`: one suppression job's status. */
const JOB_STATUS = new RegExp(`^(${SUPPRESS_PATH}|${UNSUPPRESS_PATH})/[A-Za-z0-9_-]+/?$`);

/** The endpoint a path names, with or without its trailing slash. */
export function routeOf(path: string): Route | undefined {
  return ROUTES.get(path) ?? (JOB_STATUS.test(path) ? 'bulk-job-status' : undefined);
}

/** The method each endpoint answers. */
export function methodOf(route: Route): 'GET' | 'POST' {
  return route === 'bulk-job' ? 'POST' : 'GET';
}

/** The path without a trailing slash, as the bulk-job handlers know it. */
export function canonicalPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
