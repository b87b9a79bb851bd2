import { describe, expect, it } from 'vitest';
import { describeErrorBody, errorForStatus, isExpiredCursor } from '../../src/klaviyo/errors.js';

const body = (error: Record<string, unknown>) => ({ errors: [{ id: 'e1', status: 400, code: 'invalid', title: 'Invalid input.', ...error }] });
const CURSOR_URL = 'https://a.klaviyo.com/api/profiles?page%5Bsize%5D=100&page%5Bcursor%5D=bmV4dA';
const FIRST_URL = 'https://a.klaviyo.com/api/profiles?page%5Bsize%5D=100';

describe("Klaviyo's error bodies", () => {
  it('names the field from source.parameter or source.pointer, whichever is there, and no root pointer', () => {
    expect(describeErrorBody(body({ detail: 'Bad sort.', source: { parameter: 'sort' } }))).toBe('invalid: Bad sort (parameter sort)');
    // airbytehq/airbyte issue 34996: a real 400 naming its field in source.pointer
    expect(describeErrorBody(body({ detail: 'Invalid date.', source: { pointer: '/data/attributes/updated_at' } }))).toBe(
      'invalid: Invalid date (field /data/attributes/updated_at)',
    );
    expect(describeErrorBody(body({ detail: 'Invalid cursor provided.', source: { pointer: '/data/' } }))).toBe('invalid: Invalid cursor provided');
    expect(describeErrorBody({ message: 'not JSON:API' })).toBeUndefined();
  });

  it('ends each sentence of a message with one full stop', () => {
    const error = errorForStatus(400, body({ detail: 'Bad sort.', source: { parameter: 'sort' } }), 'Get Profiles', FIRST_URL);
    expect(error.message).toContain('Klaviyo said: invalid: Bad sort (parameter sort).');
    expect(error.message).not.toMatch(/\.\./);
  });
});

describe('an expired or invalid cursor', () => {
  it("is recognised by the shape Klaviyo sends: a 400 on a request with page[cursor], 'Invalid cursor provided.', whatever source holds", () => {
    expect(isExpiredCursor(errorForStatus(400, body({ detail: 'Invalid cursor provided.', source: { pointer: '/data/' } }), 'Get Profiles', CURSOR_URL))).toBe(true);
    expect(isExpiredCursor(errorForStatus(400, body({ detail: 'Invalid cursor provided.' }), 'Get Profiles', CURSOR_URL))).toBe(true);
    expect(isExpiredCursor(errorForStatus(400, body({ detail: 'Invalid page cursor: it has expired.', source: { parameter: 'page[cursor]' } }), 'Get Profiles', CURSOR_URL))).toBe(true);
  });

  it('is not any other 400, nor a cursor complaint about a request that sent none', () => {
    expect(isExpiredCursor(errorForStatus(400, body({ detail: 'Invalid filter.', source: { parameter: 'filter' } }), 'Get Profiles', CURSOR_URL))).toBe(false);
    expect(isExpiredCursor(errorForStatus(400, body({ detail: 'Invalid cursor provided.', source: { pointer: '/data/' } }), 'Get Profiles', FIRST_URL))).toBe(false);
    expect(errorForStatus(400, body({ detail: 'Invalid filter.' }), 'Get Profiles', FIRST_URL).failureType).toBe('system_error');
  });
});

describe('a missing scope', () => {
  it('names lists:read for Get Lists, and the setting that does without it', () => {
    const error = errorForStatus(403, body({ status: 403, code: 'permission_denied', detail: 'Missing lists:read.' }), 'Get Lists');
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('lists:read');
    expect(error.message).toContain('max_lists_to_scan to 0');
  });
});
