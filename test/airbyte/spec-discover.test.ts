import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { airbyteMessageValidator, hasReference, referenceSkipReason } from '../helpers/reference.js';
import { airbyteBin, ofType, repoRoot, runCli, tempFile } from '../helpers/run-cli.js';

const spec = JSON.parse(readFileSync(join(repoRoot, 'spec.json'), 'utf8'));

/** Every node of a JSON schema with its path, for rule checks. */
function* nodes(schema: Record<string, any>, path = '$'): Generator<[string, Record<string, any>]> { // any: schema walk
  yield [path, schema];
  for (const [name, child] of Object.entries(schema.properties ?? {})) yield* nodes(child as Record<string, any>, `${path}.${name}`); // any: schema walk
  if (schema.items && typeof schema.items === 'object') yield* nodes(schema.items, `${path}[]`);
}

describe('spec', () => {
  it('prints exactly one SPEC message whose connectionSpecification is spec.json', async () => {
    const result = await runCli(airbyteBin, ['spec']);
    expect(result.code).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]?.type).toBe('SPEC');
    expect(result.messages[0]?.spec.connectionSpecification).toEqual(spec.connectionSpecification);
  });

  it.skipIf(!hasReference)(`validates against the Airbyte protocol schema${hasReference ? '' : ` (${referenceSkipReason})`}`, async () => {
    const result = await runCli(airbyteBin, ['spec']);
    const validate = airbyteMessageValidator();
    expect(validate(result.messages[0]), JSON.stringify(validate.errors)).toBe(true);
  });

  it("follows Airbyte's spec rules: no $ref/anyOf/allOf, nullable as [T, null], secrets marked", () => {
    const text = JSON.stringify(spec.connectionSpecification);
    for (const banned of ['"$ref"', '"anyOf"', '"allOf"']) expect(text).not.toContain(banned);
    for (const [path, node] of nodes(spec.connectionSpecification)) {
      if (node.oneOf) for (const option of node.oneOf) expect(Object.values(option.properties ?? {}).some((p: any) => 'const' in p), path).toBe(true); // any: schema walk
      if (Array.isArray(node.type)) {
        expect(node.type.indexOf('null'), `${path} nullable type order`).toBe(node.type.length - 1);
      }
      if (/key|secret|token|password/i.test(path.split('.').pop() ?? '') && path !== '$') expect(node.airbyte_secret, `${path} must be airbyte_secret`).toBe(true);
    }
    expect(spec.connectionSpecification.properties.api_key.airbyte_secret).toBe(true);
    expect(spec.connectionSpecification.required).toEqual(['api_key']);
  });
});

describe('discover', () => {
  it('prints the profile_consent stream without any network call', async () => {
    // Port 9 on loopback has nothing listening: a network call would fail the command.
    const config = tempFile('config.json', { api_key: 'pk_test_discover_key_00000000000000000', base_url: 'http://127.0.0.1:9' });
    const result = await runCli(airbyteBin, ['discover', '--config', config]);
    expect(result.code).toBe(0);
    const catalogs = ofType(result.messages, 'CATALOG');
    expect(catalogs).toHaveLength(1);
    const [stream] = catalogs[0]?.catalog.streams;
    expect(stream).toMatchObject({
      name: 'profile_consent',
      supported_sync_modes: ['full_refresh', 'incremental'],
      source_defined_cursor: true,
      default_cursor_field: ['updated'],
      source_defined_primary_key: [['id']],
      is_resumable: true,
    });
    expect(stream.json_schema).toEqual(JSON.parse(readFileSync(join(repoRoot, 'schemas/profile_consent.json'), 'utf8')));
    if (hasReference) {
      const validate = airbyteMessageValidator();
      for (const message of result.messages) expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('refuses an invalid config with a TRACE ERROR', async () => {
    const config = tempFile('config.json', { base_url: 'https://a.klaviyo.com' });
    const result = await runCli(airbyteBin, ['discover', '--config', config]);
    expect(result.code).toBe(1);
    const [trace] = ofType(result.messages, 'TRACE');
    expect(trace?.trace.error.failure_type).toBe('config_error');
    expect(trace?.trace.error.message).toContain('api_key');
  });
});
