// Singer spec messages (SCHEMA, RECORD, STATE), one JSON object per line on stdout.

export const schemaMessage = (stream: string, schema: object, keyProperties: string[], bookmarkProperties: string[]) => ({
  type: 'SCHEMA' as const,
  stream,
  schema,
  key_properties: keyProperties,
  bookmark_properties: bookmarkProperties,
});

export const recordMessage = (stream: string, record: object, timeExtracted: string) => ({
  type: 'RECORD' as const,
  stream,
  record,
  time_extracted: timeExtracted,
});

export const stateMessage = (value: object) => ({ type: 'STATE' as const, value });
