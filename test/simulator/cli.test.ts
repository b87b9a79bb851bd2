import { afterEach, describe, expect, it } from 'vitest';
import { startFromCli } from '../../src/simulator/cli.js';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { capture, get } from './simulator-client.js';

let running: KlaviyoSimulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('klaviyo-simulator CLI', () => {
  it('starts, prints one JSON line on stdout and one human line on stderr', async () => {
    const io = capture();
    const started = await startFromCli(['--profiles', '25', '--seed', '9', '--requests-per-minute', '50'], io);
    expect(started).toBeInstanceOf(KlaviyoSimulator);
    running = started as KlaviyoSimulator;
    expect(io.out).toHaveLength(1);
    const announced = JSON.parse(io.out[0] ?? '') as Record<string, unknown>;
    expect(announced).toEqual({ base_url: running.baseUrl, api_key: SIMULATOR_API_KEY, profiles: 25 });
    expect(String(announced['base_url'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(/serving 25 profiles and 5 lists/);
    const response = await get(`${running.baseUrl}/api/profiles`);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBe('50');
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--port', '70000'], '--port'],
    [['--host', '0.0.0.0'], '--host'],
    [['--profiles', '-1'], '--profiles'],
    [['--latency-ms', 'soon'], '--latency-ms'],
    [['--requests-per-minute', '0'], '--requests-per-minute'],
    [['--frobnicate'], '--frobnicate'],
  ])('exits 2 with one line naming the option for %j', async (argv, option) => {
    const io = capture();
    expect(await startFromCli(argv, io)).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toContain(option);
    expect(io.err[0]).not.toContain('\n');
  });

  it('prints help on stdout and exits 0', async () => {
    const io = capture();
    expect(await startFromCli(['--help'], io)).toBe(0);
    const help = io.out.join('\n');
    expect(help).toContain('--requests-per-minute');
    // Every endpoint it serves, not only Get Profiles, and the knobs of Klaviyo's rules.
    for (const text of ['/api/metrics', '/api/events', '/api/lists', 'bulk consent jobs', '--no-rate-limits', '--cursor-max-age', '--sms-metric-names', '--lists']) expect(help, text).toContain(text);
  });
});
