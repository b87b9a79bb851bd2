import { readPackageJson } from '../../common/package-files.js';

export const STREAM_NAME = 'consent_events';
export const PRIMARY_KEY = [['id']];
export const CURSOR_FIELD = ['datetime'];

/** schemas/consent_events.json, the one definition of the record that both protocols publish. */
export const recordSchema = readPackageJson('schemas/consent_events.json') as {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  [key: string]: unknown;
};
