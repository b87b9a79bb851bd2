import { readPackageJson } from '../common/package-files.js';

/** A stream's record schema as both protocols publish it: the one definition, read from schemas/. */
export interface RecordSchema {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  [key: string]: unknown;
}

export const readRecordSchema = (path: string): RecordSchema => readPackageJson(path) as RecordSchema;
