import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/errors.js';
import { parseConfig } from '../../src/config/parse-config.js';

const key = 'pk_0123456789abcdef0123456789abcdef01';

describe('parseConfig', () => {
  it('applies the defaults from spec.json', () => {
    expect(parseConfig({ api_key: key })).toEqual({
      apiKey: key,
      startDateMs: undefined,
      revision: '2026-07-15',
      baseUrl: 'https://a.klaviyo.com',
      pageSize: 100,
      concurrency: 32,
      requestsPerSecond: 75,
      requestsPerMinute: 700,
      maxRetrySeconds: 120,
      requestTimeoutSeconds: 60,
      consentEvents: true,
      fullResyncDays: 7,
      lookbackSeconds: 300,
      maxListsToScan: 50,
    });
  });

  it.each([
    ['2024-01-31', Date.parse('2024-01-31T00:00:00Z')],
    ['2024-01-31T10:00:00+02:00', Date.parse('2024-01-31T08:00:00Z')],
    ['2024-01-31T10:00:00.123456Z', Date.parse('2024-01-31T10:00:00Z')],
  ])('accepts start_date %s', (startDate, ms) => {
    expect(parseConfig({ api_key: key, start_date: startDate }).startDateMs).toBe(ms);
  });

  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:8080/', 'http://localhost:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['https://proxy.example.com/klaviyo/', 'https://proxy.example.com/klaviyo'],
  ])('accepts base_url %s', (url, normalized) => {
    expect(parseConfig({ api_key: key, base_url: url }).baseUrl).toBe(normalized);
  });

  it.each([
    ['not an object', [1, 2], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['missing api_key', {}, /api_key: missing/],
    ['empty api_key', { api_key: '' }, /api_key: must not be empty/],
    ['numeric api_key', { api_key: 12345 }, /api_key: must be a string/],
    ['public key', { api_key: 'AbC123' }, /public API key/],
    ['key with whitespace', { api_key: 'pk_abc def' }, /whitespace/],
    ['bad start_date', { api_key: key, start_date: '31/01/2024' }, /start_date: not a valid date/],
    ['impossible start_date', { api_key: key, start_date: '2024-02-30' }, /start_date: not a valid date/],
    ['base_url not a URL', { api_key: key, base_url: 'a.klaviyo.com' }, /base_url: "a.klaviyo.com" is not a URL/],
    ['plain http to a remote host', { api_key: key, base_url: 'http://klaviyo.invalid' }, /base_url: plain http:\/\/ is refused/],
    ['ftp base_url', { api_key: key, base_url: 'ftp://127.0.0.1' }, /base_url: the scheme ftp:/],
    ['page_size 0', { api_key: key, page_size: 0 }, /page_size/],
    ['page_size 101', { api_key: key, page_size: 101 }, /page_size/],
    ['page_size 2.5', { api_key: key, page_size: 2.5 }, /page_size: must be a whole number/],
    ['page_size as string', { api_key: key, page_size: '100' }, /page_size: must be a whole number/],
    ['concurrency 65', { api_key: key, concurrency: 65 }, /concurrency/],
    ['requests_per_second 0', { api_key: key, requests_per_second: 0 }, /requests_per_second/],
    ['requests_per_minute negative', { api_key: key, requests_per_minute: -5 }, /requests_per_minute/],
    ['bad revision', { api_key: key, revision: 'latest' }, /revision/],
    ['a retired revision', { api_key: key, revision: '2024-10-15' }, /revision: 2024-10-15 is older than the oldest revision this connector supports \(2025-01-15\)/],
    ['max_lists_to_scan negative', { api_key: key, max_lists_to_scan: -1 }, /max_lists_to_scan/],
  ])('%s: a ConfigError naming the field', (_name, raw, message) => {
    let error: unknown;
    try {
      parseConfig(raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('takes the oldest supported revision and later ones, with or without a suffix', () => {
    for (const revision of ['2025-01-15', '2026-01-15', '2026-07-15.pre']) expect(parseConfig({ api_key: key, revision }).revision).toBe(revision);
  });

  it('reports every problem at once', () => {
    expect(() => parseConfig({ api_key: key, page_size: 0, start_date: 'x', base_url: 'http://example.invalid' })).toThrow(/page_size.*start_date.*base_url/s);
  });
});
