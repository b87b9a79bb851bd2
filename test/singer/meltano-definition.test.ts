import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, runRaw, tapBin } from '../helpers/run-cli.js';

const definition = parse(readFileSync(join(repoRoot, 'meltano/tap-klaviyo-consent.yml'), 'utf8')) as {
  capabilities: string[];
  executable: string;
  settings: Array<{ name: string; kind: string; sensitive?: boolean; value?: unknown }>;
};
const spec = JSON.parse(readFileSync(join(repoRoot, 'spec.json'), 'utf8')).connectionSpecification as {
  properties: Record<string, { default?: unknown; airbyte_secret?: boolean; type: string }>;
};

describe('Meltano Hub plugin definition', () => {
  it('has exactly the settings of spec.json, with the same defaults and secrets marked sensitive', () => {
    expect(definition.settings.map((s) => s.name).sort()).toEqual(Object.keys(spec.properties).sort());
    for (const setting of definition.settings) {
      const property = spec.properties[setting.name]!;
      expect(setting.value, setting.name).toEqual(property.default);
      expect(setting.sensitive ?? false, setting.name).toBe(property.airbyte_secret ?? false);
      if (property.type === 'integer') expect(setting.kind, setting.name).toBe('integer');
    }
  });

  it('declares the capabilities the tap reports with --about, and the bin the package installs', async () => {
    const about = JSON.parse((await runRaw(tapBin, ['--about', '--format', 'json'])).stdout);
    expect(definition.capabilities).toEqual(about.capabilities);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.bin)).toContain(definition.executable);
  });
});

describe('Meltano Hub loader definition', () => {
  const loader = parse(readFileSync(join(repoRoot, 'meltano/target-klaviyo-consent.yml'), 'utf8')) as typeof definition;
  const destination = JSON.parse(readFileSync(join(repoRoot, 'destination-spec.json'), 'utf8')).connectionSpecification as typeof spec;

  it('has exactly the settings of destination-spec.json, with the same defaults and secrets marked sensitive', () => {
    expect(loader.settings.map((s) => s.name).sort()).toEqual(Object.keys(destination.properties).sort());
    for (const setting of loader.settings) {
      const property = destination.properties[setting.name]!;
      expect(setting.value, setting.name).toEqual(property.default);
      expect(setting.sensitive ?? false, setting.name).toBe(property.airbyte_secret ?? false);
      if (property.type === 'integer') expect(setting.kind, setting.name).toBe('integer');
    }
  });

  it('names the bin the package installs', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.bin)).toContain(loader.executable);
  });
});
