import { describe, expect, it } from 'vitest';
import { KNOWN_SETTINGS, unknownSettingMessages } from '../../src/config/parse-config.js';
import { nearestKey, unknownSettings } from '../../src/config/unknown-settings.js';

describe('unknown settings', () => {
  it('suggests the setting a typo most likely meant', () => {
    expect(nearestKey('start_dat', KNOWN_SETTINGS)).toBe('start_date');
    expect(nearestKey('pagesize', KNOWN_SETTINGS)).toBe('page_size');
    expect(nearestKey('page-size', KNOWN_SETTINGS)).toBe('page_size');
    expect(nearestKey('API_KEY', KNOWN_SETTINGS)).toBe('api_key');
    expect(nearestKey('lookback', KNOWN_SETTINGS)).toBe('lookback_seconds');
    expect(nearestKey('concurency', KNOWN_SETTINGS)).toBe('concurrency');
    expect(nearestKey('colour', KNOWN_SETTINGS)).toBeUndefined();
  });

  it('tolerates the keys platforms add (a leading underscore) and reports every other unknown key', () => {
    expect(unknownSettings({ api_key: 'x', _airbyte: 1, __injected: 2, start_dat: 3 }, KNOWN_SETTINGS)).toEqual([{ key: 'start_dat', suggestion: 'start_date' }]);
    expect(unknownSettingMessages({ api_key: 'x', colour: 'red' })).toEqual([expect.stringMatching(/^colour: unknown setting; the settings are api_key, start_date, /)]);
  });
});
