import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_SUBSCRIBE_PROFILES,
  MAX_SUPPRESS_PROFILES,
  MAX_UNSUBSCRIBE_PROFILES,
  SUBSCRIBE_JOB_TYPE,
  SUBSCRIBE_SCOPES,
  SUPPRESS_JOB_FIELDS,
  SUPPRESS_JOB_TYPE,
  SUPPRESS_SCOPES,
  UNSUBSCRIBE_JOB_TYPE,
  UNSUBSCRIBE_SCOPES,
} from '../../src/simulator/rules/bulk-jobs-contract.js';
import {
  EVENTS_DEFAULT_PAGE_SIZE,
  EVENTS_FILTER_FIELDS,
  EVENTS_MAX_PAGE_SIZE,
  EVENTS_QUERY_PARAMETERS,
  EVENTS_SCOPE,
  EVENTS_SORT_VALUES,
  METRICS_FILTER_FIELDS,
  METRICS_PAGE_SIZE,
  METRICS_QUERY_PARAMETERS,
  METRICS_SCOPE,
} from '../../src/simulator/rules/events-contract.js';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import type { ParameterRules } from '../../src/simulator/endpoints/query-params.js';
import type { FilterFieldRule } from '../../src/simulator/rules/api-contract.js';
import { apiUrl, getList, post, subscribeBody, unsubscribeBody, suppressBody, walkList } from './consent-client.js';
import { closeNamedSchemas, convertNullable, type Json } from './openapi-helpers.js';
import { authHeaders, get, startSimulator } from './simulator-client.js';

// Klaviyo's full spec lives beside the project in CI (../shared/reference), never in a user's clone.
const referenceDir = resolve(import.meta.dirname, '../../../shared/reference');
const specPath = join(referenceDir, 'klaviyo-openapi-2026-07-15.json');
const hasSpec = existsSync(specPath);
const title = hasSpec
  ? 'simulator conforms to Klaviyo OpenAPI for metrics, events and the consent jobs'
  : `simulator consent OpenAPI conformance (skipped: ${specPath} not found)`;

const SUBSCRIBE = '/api/profile-subscription-bulk-create-jobs';
const UNSUBSCRIBE = '/api/profile-subscription-bulk-delete-jobs';
const SUPPRESS = '/api/profile-suppression-bulk-create-jobs';

interface Parameter {
  name: string;
  in: string;
  schema: Json & { enum?: string[]; items?: { enum?: string[] } };
}

interface Operation {
  description: string;
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }>;
  'x-klaviyo-filters'?: Record<string, { operators: { single?: string[]; list?: string[]; none?: string[] }; value?: { type: string; format?: string } }>;
  'x-klaviyo-scopes': string[];
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; responses: { ClientError: { content: Record<string, { schema: Json }> } } };
}

/** The named schemas reachable from `roots`: compiling only these keeps the test fast. */
function reachable(schemas: Record<string, Json>, roots: string[]): Record<string, Json> {
  const found: Record<string, Json> = {};
  const pending = [...roots];
  for (let guard = 0; pending.length > 0 && guard < 10_000; guard++) {
    const name = pending.pop() ?? '';
    const schema = schemas[name];
    if (found[name] || !schema) continue;
    found[name] = schema;
    for (const match of JSON.stringify(schema).matchAll(/#\/components\/schemas\/([\w.-]+)/g)) pending.push(match[1] ?? '');
  }
  return found;
}

const schemaName = (ref: string): string => ref.split('/').at(-1) ?? '';

describe.skipIf(!hasSpec)(title, () => {
  let spec: Spec;
  let ajv: Ajv;
  let validateError: ValidateFunction;
  let simulator: KlaviyoSimulator;
  const operation = (path: string, method: 'get' | 'post'): Operation => {
    const found = spec.paths[path]?.[method];
    if (!found) throw new Error(`${method} ${path} is not in the spec`);
    return found;
  };
  const validator = (name: string): ValidateFunction => ajv.compile({ $ref: `klaviyo#/components/schemas/${name}` });
  const responseSchema = (path: string, method: 'get' | 'post', status: string): string =>
    schemaName(operation(path, method).responses[status]?.content?.['application/vnd.api+json']?.schema.$ref ?? '');
  const requestSchema = (path: string): string => schemaName(operation(path, 'post').requestBody?.content['application/vnd.api+json']?.schema.$ref ?? '');
  const expectValid = (validate: ValidateFunction, value: unknown): void => {
    expect(validate(value), JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true);
  };

  beforeAll(async () => {
    spec = JSON.parse(readFileSync(specPath, 'utf8')) as Spec;
    const roots = [
      responseSchema('/api/metrics', 'get', '200'),
      responseSchema('/api/events', 'get', '200'),
      responseSchema(SUPPRESS, 'post', '202'),
      requestSchema(SUBSCRIBE),
      requestSchema(UNSUBSCRIBE),
      requestSchema(SUPPRESS),
    ];
    const schemas = closeNamedSchemas(convertNullable(reachable(spec.components.schemas, roots)) as Record<string, Json>);
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ components: { schemas } }, 'klaviyo');
    validateError = ajv.compile(convertNullable(spec.components.responses.ClientError.content['application/vnd.api+json']?.schema) as Json);
    simulator = await startSimulator({ profiles: 150, seed: 12 });
  });
  afterAll(async () => {
    await simulator?.close();
  });

  it('serves metrics pages that validate against the response schema, and a broken one does not', async () => {
    const validate = validator(responseSchema('/api/metrics', 'get', '200'));
    const pages = await walkList<unknown>(apiUrl(simulator, '/api/metrics'), 3);
    pages.push(await getList(apiUrl(simulator, '/api/metrics', { include: 'flow-triggers', 'fields[metric]': 'name,integration' })));
    for (const page of pages) expectValid(validate, page);
    const broken = structuredClone(pages[0]) as { data: Array<Json> };
    broken.data[0]!['type'] = 'metrics';
    expect(validate(broken)).toBe(false);
  });

  it('serves events pages, with included metrics and profiles, that validate, and a broken one does not', async () => {
    const profileId = simulator.allProfiles()[0]!.id;
    simulator.recordBounce(profileId);
    simulator.setPushConsent(profileId, 'SUBSCRIBED');
    const validate = validator(responseSchema('/api/events', 'get', '200'));
    const pages = await walkList<unknown>(apiUrl(simulator, '/api/events', { sort: 'datetime', 'page[size]': '150' }), 4);
    pages.push(await getList(apiUrl(simulator, '/api/events', { include: 'metric,profile,attributions', 'page[size]': '30' })));
    pages.push(await getList(apiUrl(simulator, '/api/events', { filter: `equals(profile_id,"${profileId}")`, 'fields[event]': 'datetime,uuid' })));
    for (const page of pages) expectValid(validate, page);
    const broken = structuredClone(pages[0]) as { data: Array<{ attributes: Json }> };
    broken.data[0]!.attributes['timestamp'] = '1700000000';
    expect(validate(broken)).toBe(false);
  });

  it('accepts request bodies the spec accepts, answers as the spec says, and rejects bodies the spec rejects', async () => {
    const [email, phone] = [
      String(simulator.allProfiles().find((p) => typeof p.attributes.email === 'string')!.attributes.email),
      String(simulator.allProfiles().find((p) => typeof p.attributes.phone_number === 'string')!.attributes.phone_number),
    ];
    const valid: Array<[string, unknown]> = [
      [
        SUBSCRIBE,
        subscribeBody(
          [
            { email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED' } } } },
            { phone_number: phone, subscriptions: { sms: { marketing: { consent: 'SUBSCRIBED' }, transactional: { consent: 'SUBSCRIBED' } } } },
            { email: 'new.person@example.com', phone_number: '+15005550006', subscriptions: { email: { marketing: { consent: 'SUBSCRIBED' }, open_tracking: { consent: 'SUBSCRIBED' } }, push: { marketing: { consent: 'SUBSCRIBED' } } } },
          ],
          { listId: simulator.lists()[0]?.id ?? '', extra: { custom_source: 'Marketing Event' } },
        ),
      ],
      [UNSUBSCRIBE, unsubscribeBody([{ email, subscriptions: { email: { marketing: { consent: 'UNSUBSCRIBED' } } } }], { listId: simulator.lists()[0]?.id ?? '' })],
      [UNSUBSCRIBE, unsubscribeBody([{ phone_number: phone, subscriptions: { sms: { marketing: { consent: 'UNSUBSCRIBED' } }, whatsapp: { conversational: { consent: 'UNSUBSCRIBED' } } } }])],
      [SUPPRESS, suppressBody([email, 'someone.else@example.com'])],
    ];
    for (const [path, body] of valid) {
      expectValid(validator(requestSchema(path)), body);
      const response = await post(apiUrl(simulator, path), body);
      expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBe(202);
      expect(Object.keys(operation(path, 'post').responses)).toContain('202');
      const documented = responseSchema(path, 'post', '202');
      if (documented) expectValid(validator(documented), response.body);
      else expect(response.body, path).toBeUndefined();
    }

    const invalid: Array<[string, unknown]> = [
      [SUBSCRIBE, subscribeBody([{ email, subscriptions: { email: { marketing: { consent: 'UNSUBSCRIBED' } } } }])],
      [SUBSCRIBE, { data: { type: UNSUBSCRIBE_JOB_TYPE, attributes: { profiles: { data: [] } } } }],
      [UNSUBSCRIBE, unsubscribeBody([{ email, subscriptions: { push: { marketing: { consent: 'UNSUBSCRIBED' } } } }])],
      [SUPPRESS, { data: { type: SUPPRESS_JOB_TYPE, attributes: { profiles: { data: [{ type: 'profile', attributes: {} }] } } } }],
    ];
    for (const [path, body] of invalid) {
      expect(validator(requestSchema(path))(body), `spec accepts ${JSON.stringify(body)}`).toBe(false);
      const response = await post(apiUrl(simulator, path), body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expectValid(validateError, response.body);
    }
  });

  it('serves error bodies that validate against ClientError', async () => {
    for (const response of [
      await get(apiUrl(simulator, '/api/events', { filter: "greater-than(datetime,'2026-01-01T00:00:00Z')" })),
      await get(apiUrl(simulator, '/api/metrics'), authHeaders('pk_simulator_noscope_0000000000000000000000')),
      await get(apiUrl(simulator, '/api/events'), {}),
      await post(apiUrl(simulator, SUPPRESS), '{'),
      await post(apiUrl(simulator, SUPPRESS), '{}', { ...authHeaders(), 'Content-Type': 'text/plain' }),
    ]) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expectValid(validateError, response.body);
    }
  });

  it('accepts exactly the query parameters, enums, page sizes, filters and scopes of the spec', () => {
    const compareParameters = (ours: ParameterRules, op: Operation): void => {
      const query = op.parameters.filter((parameter) => parameter.in === 'query');
      expect(Object.keys(ours).sort()).toEqual(query.map((parameter) => parameter.name).sort());
      for (const parameter of query) {
        const specValues = parameter.schema.enum ?? parameter.schema.items?.enum;
        const values = ours[parameter.name];
        expect(values ? [...values].sort() : undefined, parameter.name).toEqual(specValues ? [...specValues].sort() : undefined);
      }
    };
    const compareFilters = (ours: Record<string, FilterFieldRule>, op: Operation): void => {
      const theirs = Object.fromEntries(
        Object.entries(op['x-klaviyo-filters'] ?? {}).map(([field, rule]) => [
          field,
          {
            single: [...(rule.operators.single ?? [])].sort(),
            list: [...(rule.operators.list ?? [])].sort(),
            none: [...(rule.operators.none ?? [])].sort(),
            type: rule.value ? (rule.value.format ?? rule.value.type) : 'none',
          },
        ]),
      );
      const mine = Object.fromEntries(
        Object.entries(ours).map(([field, rule]) => [
          field,
          { single: [...rule.single].sort(), list: [...rule.list].sort(), none: [...(rule.none ?? [])].sort(), type: rule.valueType },
        ]),
      );
      expect(mine).toEqual(theirs);
    };

    const events = operation('/api/events', 'get');
    compareParameters(EVENTS_QUERY_PARAMETERS, events);
    compareFilters(EVENTS_FILTER_FIELDS, events);
    const sort = events.parameters.find((parameter) => parameter.name === 'sort')?.schema;
    expect([...EVENTS_SORT_VALUES].sort()).toEqual([...(sort?.enum ?? [])].sort());
    expect(events.parameters.find((parameter) => parameter.name === 'page[size]')?.schema).toMatchObject({
      default: EVENTS_DEFAULT_PAGE_SIZE,
      maximum: EVENTS_MAX_PAGE_SIZE,
      minimum: 1,
    });
    expect(events['x-klaviyo-scopes']).toEqual([EVENTS_SCOPE]);

    const metrics = operation('/api/metrics', 'get');
    compareParameters(METRICS_QUERY_PARAMETERS, metrics);
    compareFilters(METRICS_FILTER_FIELDS, metrics);
    expect(metrics.description).toContain(`Returns a maximum of ${METRICS_PAGE_SIZE} results per page`);
    expect(metrics['x-klaviyo-scopes']).toEqual([METRICS_SCOPE]);

    expect(operation(SUBSCRIBE, 'post')['x-klaviyo-scopes']).toEqual([...SUBSCRIBE_SCOPES]);
    expect(operation(UNSUBSCRIBE, 'post')['x-klaviyo-scopes']).toEqual([...UNSUBSCRIBE_SCOPES]);
    expect(operation(SUPPRESS, 'post')['x-klaviyo-scopes']).toEqual([...SUPPRESS_SCOPES]);
    expect(operation(SUBSCRIBE, 'post').description).toMatch(new RegExp(`submitted for subscription: ${MAX_SUBSCRIBE_PROFILES}\\b`));
    expect(operation(UNSUBSCRIBE, 'post').description).toMatch(new RegExp(`profiles per call: ${MAX_UNSUBSCRIBE_PROFILES}\\b`));
    expect(operation(SUPPRESS, 'post').description).toMatch(new RegExp(`per request limit: ${MAX_SUPPRESS_PROFILES}\\b`));
    compareParameters({ [`fields[${SUPPRESS_JOB_TYPE}]`]: SUPPRESS_JOB_FIELDS }, operation(SUPPRESS, 'post'));

    const enumOf = (name: string) => (spec.components.schemas[name] as { enum: string[] }).enum;
    expect(enumOf('ProfileSubscriptionBulkCreateJobEnum')).toEqual([SUBSCRIBE_JOB_TYPE]);
    expect(enumOf('ProfileSubscriptionBulkDeleteJobEnum')).toEqual([UNSUBSCRIBE_JOB_TYPE]);
    expect(enumOf('ProfileSuppressionBulkCreateJobEnum')).toEqual([SUPPRESS_JOB_TYPE]);
  });
});
