import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

// Klaviyo's OpenAPI spec and the Airbyte protocol live beside the project in CI, not in a user's clone, so
// conformance tests skip (with a reason) where the folder is absent.
export const referenceDir = resolve(import.meta.dirname, '../../../shared/reference');
export const hasReference = existsSync(join(referenceDir, 'airbyte_protocol.yaml'));
export const referenceSkipReason = `../shared/reference not found at ${referenceDir}; protocol conformance checks skipped`;

let messageValidator: ValidateFunction | undefined;

/** Validates one Airbyte message against definitions.AirbyteMessage of the reference protocol schema. */
export function airbyteMessageValidator(): ValidateFunction {
  if (!messageValidator) {
    const protocol = parse(readFileSync(join(referenceDir, 'airbyte_protocol.yaml'), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(protocol, 'airbyte_protocol.yaml');
    messageValidator = ajv.getSchema('airbyte_protocol.yaml#/definitions/AirbyteMessage');
    if (!messageValidator) throw new Error('AirbyteMessage definition not found in airbyte_protocol.yaml');
  }
  return messageValidator;
}
