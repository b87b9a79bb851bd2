import { parseInstant } from '../store/timestamps.js';

/** A request body that does not fit the operation's schema: a 400 pointing at the offending member. */
export class BodyError extends Error {
  constructor(
    readonly pointer: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'BodyError';
  }
}

export type JsonObject = Record<string, unknown>;

const E164 = /^\+[1-9]\d{1,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads a JSON:API request document member by member, naming each mistake by its JSON pointer, as
 * Klaviyo's `source.pointer` does. Unknown members are refused, so a misspelt one is not silently ignored.
 */
export function objectAt(value: unknown, pointer: string, resource: string, allowed: readonly string[]): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BodyError(pointer, `${where(pointer)} must be an object.`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new BodyError(`${pointer}/${key}`, `'${key}' is not a valid field for the resource '${resource}'.`);
  }
  return value as JsonObject;
}

export function required(object: JsonObject, key: string, pointer: string, resource: string): unknown {
  const value = object[key];
  if (value === undefined) throw new BodyError(`${pointer}/${key}`, `'${key}' is a required field for the resource '${resource}'.`);
  return value;
}

/** A string member: undefined when absent, null when explicitly null and `nullable`. */
export function optionalString(object: JsonObject, key: string, pointer: string, nullable = true): string | null | undefined {
  const value = object[key];
  if (value === undefined || (value === null && nullable)) return value;
  if (typeof value !== 'string') throw new BodyError(`${pointer}/${key}`, `'${key}' must be a string${nullable ? ' or null' : ''}.`);
  return value;
}

export function optionalBoolean(object: JsonObject, key: string, pointer: string): boolean | null | undefined {
  const value = object[key];
  if (value === undefined || value === null || typeof value === 'boolean') return value;
  throw new BodyError(`${pointer}/${key}`, `'${key}' must be a boolean or null.`);
}

export function expectConstant(value: unknown, expected: string, pointer: string): void {
  if (value !== expected) throw new BodyError(pointer, `${where(pointer)} must be "${expected}", got ${JSON.stringify(value)}.`);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], pointer: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new BodyError(pointer, `${where(pointer)} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}.`);
}

export function arrayAt(value: unknown, pointer: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw new BodyError(pointer, `${where(pointer)} must be an array.`);
  if (value.length < min || value.length > max) {
    throw new BodyError(pointer, `${where(pointer)} must hold between ${min} and ${max} items, got ${value.length}.`);
  }
  return value;
}

export function checkEmail(value: string, pointer: string): string {
  if (!EMAIL.test(value)) throw new BodyError(pointer, `'${value}' is not a valid email address.`);
  return value;
}

export function checkPhoneNumber(value: string, pointer: string): string {
  if (!E164.test(value)) throw new BodyError(pointer, `'${value}' is not a valid phone number; use E.164 format, e.g. +15005550006.`);
  return value;
}

/** Epoch ms of an ISO 8601 datetime member. */
export function dateTimeAt(value: unknown, pointer: string): number {
  const instant = typeof value === 'string' ? parseInstant(value) : undefined;
  if (instant === undefined) throw new BodyError(pointer, `${where(pointer)} must be an ISO 8601 datetime, got ${JSON.stringify(value)}.`);
  return instant;
}

/** `{"data": {"type": ..., "id": ...}}` of a to-one relationship; returns the id. */
export function relationshipId(value: unknown, pointer: string, type: string): string {
  const relationship = objectAt(value, pointer, type, ['data']);
  const data = objectAt(required(relationship, 'data', pointer, type), `${pointer}/data`, type, ['type', 'id']);
  expectConstant(required(data, 'type', `${pointer}/data`, type), type, `${pointer}/data/type`);
  const id = required(data, 'id', `${pointer}/data`, type);
  if (typeof id !== 'string' || id === '') throw new BodyError(`${pointer}/data/id`, `The ${type} id must be a non-empty string.`);
  return id;
}

function where(pointer: string): string {
  return pointer === '' ? 'The document' : `'${pointer}'`;
}
