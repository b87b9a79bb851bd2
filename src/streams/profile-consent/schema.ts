import { readPackageJson } from '../../common/package-files.js';

export const STREAM_NAME = 'profile_consent';
export const PRIMARY_KEY = [['id']];
export const CURSOR_FIELD = ['updated'];

/** schemas/profile_consent.json, the one definition of the record that both protocols publish. */
export const recordSchema = readPackageJson('schemas/profile_consent.json') as {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  [key: string]: unknown;
};
