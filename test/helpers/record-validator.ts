import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { repoRoot } from './run-cli.js';

// strict types: a boolean sent as "true" or a number as "1" must fail here, as it would in a warehouse.
const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false });
addFormats.default(ajv);
export const recordSchema = JSON.parse(readFileSync(join(repoRoot, 'schemas/profile_consent.json'), 'utf8')) as object;
export const validateRecord = ajv.compile(recordSchema);
