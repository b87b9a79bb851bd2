// Singer spec messages (SCHEMA, RECORD, STATE), one JSON object per line on stdout.

export const schemaMessage = (stream: string, schema: object, keyProperties: string[], bookmarkProperties: string[]) => ({
  type: 'SCHEMA' as const,
  stream,
  schema,
  key_properties: keyProperties,
  bookmark_properties: bookmarkProperties,
});

/** A Singer RECORD line, serialized without a wrapper object: this runs once per record. */
export function recordLine(stream: string, record: object, timeExtracted: string): string {
  return `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":${JSON.stringify(record)},"time_extracted":"${timeExtracted}"}`;
}

export const stateMessage = (value: object) => ({ type: 'STATE' as const, value });
