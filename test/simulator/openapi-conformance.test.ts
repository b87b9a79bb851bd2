import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PAGE_SIZE,
  FILTER_FIELDS,
  MAX_PAGE_SIZE,
  QUERY_PARAMETERS,
  SORT_VALUES,
  type KlaviyoSimulator,
} from '../../src/simulator/index.js';
import { REQUIRED_SCOPE } from '../../src/simulator/rules/api-contract.js';
import { SUPPRESSION_REASONS } from '../../src/simulator/generation/fake-data.js';
import { closeNamedSchemas, convertNullable, type Json } from './openapi-helpers.js';
import { get, getPage, profilesUrl, startSimulator, walk } from './simulator-client.js';

// Klaviyo's spec lives beside the project in CI (../shared/reference), never in a user's clone.
const referenceDir = resolve(import.meta.dirname, '../../../shared/reference');
const specPath = join(referenceDir, 'klaviyo-openapi-2026-07-15-get_profiles.json');
const hasSpec = existsSync(specPath);
const title = hasSpec
  ? 'simulator conforms to Klaviyo OpenAPI GET /api/profiles'
  : `simulator OpenAPI conformance (skipped: ${specPath} not found)`;

interface Spec {
  paths: { '/api/profiles': { get: Operation } };
  components: { schemas: Record<string, Json>; responses: { ClientError: { content: Record<string, { schema: Json }> } } };
}

interface Operation {
  parameters: Array<{ name: string; in: string; schema: Json }>;
  'x-klaviyo-filters': Record<string, { operators: { single?: string[]; list?: string[] }; value: { type: string; format?: string } }>;
  'x-klaviyo-scopes': string[];
}

describe.skipIf(!hasSpec)(title, () => {
  let spec: Spec;
  let operation: Operation;
  let validatePage: ValidateFunction;
  let validateError: ValidateFunction;
  let simulator: KlaviyoSimulator;

  beforeAll(async () => {
    spec = JSON.parse(readFileSync(specPath, 'utf8')) as Spec;
    operation = spec.paths['/api/profiles'].get;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const schemas = closeNamedSchemas(convertNullable(spec.components.schemas) as Record<string, Json>);
    ajv.addSchema({ components: { schemas } }, 'klaviyo');
    validatePage = ajv.compile({ $ref: 'klaviyo#/components/schemas/GetProfileResponsePluralConversationsCollectionCompoundDocument' });
    const clientError = spec.components.responses.ClientError.content['application/vnd.api+json'];
    validateError = ajv.compile(convertNullable(clientError?.schema) as Json);
    simulator = await startSimulator({ profiles: 400, seed: 5 });
  });
  afterAll(async () => {
    await simulator?.close();
  });

  it('converts nullable the way the test relies on', () => {
    expect(convertNullable({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(convertNullable({ $ref: '#/x', nullable: true, description: 'd' })).toEqual({ description: 'd', anyOf: [{ $ref: '#/x' }, { type: 'null' }] });
  });

  it('serves pages, with subscriptions and predictive analytics, that validate against the response schema', async () => {
    const url = profilesUrl(simulator, {
      sort: 'updated',
      'page[size]': '100',
      'additional-fields[profile]': 'subscriptions,predictive_analytics',
    });
    const pages = await walk(url, 4);
    expect(pages.length).toBe(4);
    const variant = profilesUrl(simulator, {
      sort: '-subscriptions.email.marketing.suppression.timestamp',
      'page[size]': '50',
      include: 'conversations,push-tokens',
      // Whole objects only: a nested sparse field like subscriptions.sms.marketing.consent rightly drops
      // keys the schema marks required, as Klaviyo's own sparse responses do.
      'fields[profile]': 'email,updated,location,subscriptions.email,subscriptions.sms',
      'additional-fields[profile]': 'subscriptions',
    });
    pages.push(await getPage(variant));
    const attributeNames = Object.keys(
      (spec.components.schemas['ProfileResponsePluralConversationsObjectResource'] as { properties: { attributes: { properties: Json } } })
        .properties.attributes.properties,
    );
    for (const page of pages) {
      const valid = validatePage(page);
      expect(valid, JSON.stringify(validatePage.errors?.slice(0, 5), null, 1)).toBe(true);
      for (const profile of page.data) {
        for (const name of Object.keys(profile.attributes)) {
          expect([...attributeNames, 'subscriptions', 'predictive_analytics'], name).toContain(name);
        }
      }
    }
  });

  it('fails validation for a page the spec does not allow', async () => {
    const page = await getPage(profilesUrl(simulator, { 'page[size]': '2', 'additional-fields[profile]': 'subscriptions' }));
    type Mutable = { data: Array<{ attributes: { subscriptions: { email: { marketing: Json } } } }> };
    const broken = structuredClone(page) as unknown as Mutable;
    broken.data[0]!.attributes.subscriptions.email.marketing['consent'] = 7;
    expect(validatePage(broken)).toBe(false);
    const extra = structuredClone(page) as unknown as Mutable;
    extra.data[0]!.attributes.subscriptions.email.marketing['surprise'] = true;
    expect(validatePage(extra)).toBe(false);
  });

  it('serves error bodies that validate against ClientError', async () => {
    for (const response of [
      await get(profilesUrl(simulator), {}),
      await get(profilesUrl(simulator, { 'page[size]': '101' })),
      await get(profilesUrl(simulator, { filter: 'equals(first_name,"x")' })),
    ]) {
      expect(validateError(response.body), JSON.stringify(validateError.errors)).toBe(true);
    }
  });

  it('accepts exactly the filter fields and operators of x-klaviyo-filters', async () => {
    const specFilters = operation['x-klaviyo-filters'];
    const ours = Object.fromEntries(
      Object.entries(FILTER_FIELDS).map(([field, rule]) => [
        field,
        { single: [...rule.single].sort(), list: [...rule.list].sort(), type: rule.valueType },
      ]),
    );
    const theirs = Object.fromEntries(
      Object.entries(specFilters).map(([field, rule]) => [
        field,
        {
          single: [...(rule.operators.single ?? [])].sort(),
          list: [...(rule.operators.list ?? [])].sort(),
          type: rule.value.format ?? rule.value.type,
        },
      ]),
    );
    expect(ours).toEqual(theirs);

    // And the server behaves accordingly, for every field and every operator of the filter language.
    const operators = ['equals', 'any', 'greater-than', 'greater-or-equal', 'less-than', 'less-or-equal'];
    // Klaviyo's suppression rules (klaviyo-rules.md) add a list id to any list-suppression condition.
    const listId = 'subscriptions.email.marketing.list_suppressions.list_id';
    for (const [field, rule] of Object.entries(specFilters)) {
      const isDate = rule.value.format === 'date-time';
      const single = isDate ? '2024-01-01T00:00:00Z' : "'x'";
      const withListId = field.includes('.list_suppressions.') && field !== listId ? `,equals(${listId},'L')` : '';
      for (const operator of operators) {
        const singleStatus = (await get(profilesUrl(simulator, { filter: `${operator}(${field},${single})${withListId}` }))).status;
        expect(singleStatus, `${operator}(${field},value)`).toBe(rule.operators.single?.includes(operator) ? 200 : 400);
        if (!isDate) {
          const listStatus = (await get(profilesUrl(simulator, { filter: `${operator}(${field},['x','y'])${withListId}` }))).status;
          expect(listStatus, `${operator}(${field},[list])`).toBe(rule.operators.list?.includes(operator) ? 200 : 400);
        }
      }
    }
  });

  it('accepts exactly the query parameters, sort values and enums of the spec', () => {
    const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
    expect(Object.keys(QUERY_PARAMETERS).sort()).toEqual(queryParameters.map((parameter) => parameter.name).sort());
    for (const parameter of queryParameters) {
      const schema = parameter.schema as { enum?: string[]; items?: { enum?: string[] } };
      const specValues = schema.enum ?? schema.items?.enum;
      expect(QUERY_PARAMETERS[parameter.name] ? [...(QUERY_PARAMETERS[parameter.name] ?? [])].sort() : undefined, parameter.name).toEqual(
        specValues ? [...specValues].sort() : undefined,
      );
    }
    const sort = queryParameters.find((parameter) => parameter.name === 'sort')?.schema as { enum: string[] };
    expect([...SORT_VALUES].sort()).toEqual([...sort.enum].sort());
    const pageSize = queryParameters.find((parameter) => parameter.name === 'page[size]')?.schema as Json;
    expect(pageSize).toMatchObject({ default: DEFAULT_PAGE_SIZE, maximum: MAX_PAGE_SIZE, minimum: 1 });
    expect(operation['x-klaviyo-scopes']).toEqual([REQUIRED_SCOPE]);
    const reasons = spec.components.schemas['EmailMarketingSuppression'] as { properties: { reason: { enum: string[] } } };
    expect([...SUPPRESSION_REASONS].sort()).toEqual([...reasons.properties.reason.enum].sort());
  });
});
