import { randomUUID } from 'node:crypto';
import type { KlaviyoErrorBody } from '../../klaviyo/types.js';
import { InvalidCursorError } from './cursor.js';
import { QueryError } from './query-error.js';

export const JSON_API = 'application/vnd.api+json';

export interface SimulatedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type ErrorSource = { pointer: string } | { parameter: string };

/** Klaviyo's JSON:API error document, one error per response as Klaviyo sends it. */
export function errorResponse(
  status: number,
  code: string,
  title: string,
  detail: string,
  source?: ErrorSource,
  headers: Record<string, string> = {},
): SimulatedResponse {
  const body: KlaviyoErrorBody = {
    errors: [{ id: randomUUID(), status, code, title, detail, ...(source ? { source } : {}) }],
  };
  return { status, headers: { 'Content-Type': JSON_API, ...headers }, body: JSON.stringify(body) };
}

export const notAuthenticated = (): SimulatedResponse =>
  errorResponse(
    401,
    'not_authenticated',
    'Authentication credentials were not provided.',
    'Missing or invalid authorization scheme. Please use Klaviyo-API-Key.',
    { pointer: '/data/' },
  );

export const authenticationFailed = (): SimulatedResponse =>
  errorResponse(401, 'authentication_failed', 'Incorrect authentication credentials.', 'Incorrect authentication credentials.', {
    pointer: '/data/',
  });

export const permissionDenied = (missingScope = 'profiles:read'): SimulatedResponse =>
  errorResponse(
    403,
    'permission_denied',
    'You do not have permission to perform this action.',
    `You do not have permission to perform this action. This API key is missing the ${missingScope} scope.`,
    { pointer: '/data/' },
  );

export const throttled = (retryAfterSeconds: number): SimulatedResponse =>
  errorResponse(
    429,
    'throttled',
    'Request was throttled.',
    `Request was throttled. Expected available in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    { pointer: '/data/' },
    { 'Retry-After': String(retryAfterSeconds) },
  );

export const invalidParameter = (parameter: string, detail: string): SimulatedResponse =>
  errorResponse(400, 'invalid', 'Invalid input.', detail, { parameter });

/**
 * A page cursor Klaviyo no longer accepts (expired, or not one of its own), in the shape Klaviyo has been seen
 * to send: no `source.parameter`, a pointer at the document root (klaviyo-rules.md: community thread 6355,
 * klaviyo-api-python issue 9).
 */
export const invalidCursor = (): SimulatedResponse =>
  errorResponse(400, 'invalid', 'Invalid input.', 'Invalid cursor provided.', { pointer: '/data/' });

/** The 400 for a query that failed validation: Klaviyo's cursor body, or one naming the parameter. */
export function refusedQuery(error: unknown): SimulatedResponse | undefined {
  if (error instanceof InvalidCursorError) return invalidCursor();
  if (error instanceof QueryError) return invalidParameter(error.parameter, error.detail);
  return undefined;
}

/** A request body that parses but does not fit the operation's schema; `pointer` is a JSON pointer into it. */
export const invalidBody = (pointer: string, detail: string): SimulatedResponse =>
  errorResponse(400, 'invalid', 'Invalid input.', detail, { pointer });

export const malformedBody = (detail: string): SimulatedResponse =>
  errorResponse(400, 'parse_error', 'Malformed request.', detail, { pointer: '/data/' });

export const unsupportedMediaType = (contentType: string | undefined): SimulatedResponse =>
  errorResponse(
    415,
    'unsupported_media_type',
    `Unsupported media type "${contentType ?? ''}" in request.`,
    `Unsupported media type "${contentType ?? ''}" in request. Send application/vnd.api+json or application/json.`,
  );

export const payloadTooLarge = (limitBytes: number): SimulatedResponse =>
  errorResponse(413, 'request_too_large', 'Request body too large.', `The request body exceeds ${limitBytes} bytes.`);

export const notFound = (): SimulatedResponse =>
  errorResponse(
    404,
    'not_found',
    'Not found.',
    'The requested resource does not exist. This simulator serves GET /api/profiles, GET /api/metrics, GET /api/events, GET /api/lists ' +
      'and POST /api/profile-subscription-bulk-create-jobs, /api/profile-subscription-bulk-delete-jobs and ' +
      '/api/profile-suppression-bulk-create-jobs only.',
  );

export const methodNotAllowed = (method: string, allow = 'GET'): SimulatedResponse =>
  errorResponse(405, 'method_not_allowed', `Method "${method}" not allowed.`, `Method "${method}" not allowed.`, undefined, {
    Allow: allow,
  });

/** A simulator bug surfaces as Klaviyo's 500 rather than a dropped connection. */
export const serverError = (error: unknown): SimulatedResponse =>
  errorResponse(500, 'error', 'A server error occurred.', `Simulator error: ${error instanceof Error ? error.message : String(error)}`);
