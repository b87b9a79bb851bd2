import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { airbyteMessageValidator, hasReference } from '../helpers/reference.js';
import { ofType, repoRoot, runCli, tempFile } from '../helpers/run-cli.js';

const destinationBin = join(repoRoot, 'dist/bin/destination-klaviyo-consent.js');
const READ_ONLY = 'pk_readonly_0000000000000000000000000000';
const NO_JOB_READS = 'pk_nojobreads_00000000000000000000000000';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 20, seed: 5, apiKeys: { [SIMULATOR_API_KEY]: ['profiles:read', 'profiles:write', 'subscriptions:write', 'subscriptions:read', 'lists:read', 'lists:write'], [READ_ONLY]: ['profiles:read', 'lists:read'], [NO_JOB_READS]: ['profiles:read', 'profiles:write', 'subscriptions:write', 'lists:read', 'lists:write'] } });
});
afterAll(() => simulator.close());

const check = async (config: object) => {
  const result = await runCli(destinationBin, ['check', '--config', tempFile('config.json', config)]);
  expect(result.code, result.stderr).toBe(0);
  return ofType(result.messages, 'CONNECTION_STATUS')[0]?.connectionStatus as { status: string; message?: string };
};

describe('destination-klaviyo-consent spec and check', () => {
  it('prints one SPEC message with the destination spec, valid by the protocol', async () => {
    const result = await runCli(destinationBin, ['spec']);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({ type: 'SPEC', spec: { supportsIncremental: true, connectionSpecification: { required: ['api_key'] } } });
    if (hasReference) expect(airbyteMessageValidator()(result.messages[0])).toBe(true);
  });

  it('succeeds with a key that may read and write, and writes nothing', async () => {
    simulator.resetStats();
    expect(await check({ api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl })).toEqual({ status: 'SUCCEEDED' });
    expect(simulator.stats.byStatus[202]).toBeUndefined();
  });

  it('fails naming the write scopes a read-only key lacks; a dry run needs none', async () => {
    const status = await check({ api_key: READ_ONLY, base_url: simulator.baseUrl });
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/403/);
    expect(status.message).toMatch(/subscriptions:write/);
    expect(await check({ api_key: READ_ONLY, base_url: simulator.baseUrl, dry_run: true })).toEqual({ status: 'SUCCEEDED' });
  });

  it('fails naming subscriptions:read, which confirming a suppression needs (not with verify off)', async () => {
    const status = await check({ api_key: NO_JOB_READS, base_url: simulator.baseUrl });
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/subscriptions:read/);
    expect(status.message).not.toMatch(/subscriptions:write/);
    expect(await check({ api_key: NO_JOB_READS, base_url: simulator.baseUrl, verify: false })).toEqual({ status: 'SUCCEEDED' });
  });

  it('fails on a list_id the account does not have, and on a mistyped setting', async () => {
    const list = await check({ api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl, list_id: 'NoSuch' });
    expect(list.message).toMatch(/list_id: Klaviyo has no list with id NoSuch/);
    const typo = await check({ api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl, dryrun: true });
    expect(typo.message).toContain('dryrun: unknown setting; did you mean dry_run?');
    expect((await check({ api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl, list_id: simulator.lists()[0]!.id })).status).toBe('SUCCEEDED');
  });

  it('write without --catalog is a TRACE ERROR naming the option', async () => {
    const result = await runCli(destinationBin, ['write', '--config', tempFile('config.json', { api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl })]);
    expect(result.code).toBe(1);
    expect(ofType(result.messages, 'TRACE')[0]?.trace.error.message).toMatch(/--catalog/);
  });
});
