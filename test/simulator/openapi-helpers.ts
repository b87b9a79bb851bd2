// Klaviyo's OpenAPI 3.0 schemas as JSON Schema for ajv, shared by the conformance tests.

export type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 `nullable: true` to JSON Schema: `type` gains 'null', and a `$ref` or a oneOf (which
 * ignore siblings) is wrapped in an anyOf with {type: 'null'}.
 */
export function convertNullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(convertNullable);
  if (typeof schema !== 'object' || schema === null) return schema;
  const converted: Json = {};
  for (const [key, value] of Object.entries(schema)) converted[key] = key === 'example' ? value : convertNullable(value);
  if (converted['nullable'] !== true) return converted;
  delete converted['nullable'];
  if (Array.isArray(converted['enum'])) converted['enum'] = [...converted['enum'], null];
  if ('$ref' in converted || 'oneOf' in converted || 'anyOf' in converted) {
    const { description, ...inner } = converted;
    return { ...(description === undefined ? {} : { description }), anyOf: [inner, { type: 'null' }] };
  }
  if (typeof converted['type'] === 'string') converted['type'] = [converted['type'], 'null'];
  return converted;
}

/** Named object schemas get additionalProperties: false, so a key the spec does not know fails. */
export function closeNamedSchemas(schemas: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [
      name,
      schema['properties'] && !('additionalProperties' in schema) ? { ...schema, additionalProperties: false } : schema,
    ]),
  );
}
