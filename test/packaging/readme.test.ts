import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const spec = JSON.parse(readFileSync(join(repoRoot, 'spec.json'), 'utf8')).connectionSpecification as { properties: Record<string, unknown> };
const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/profile_consent.json'), 'utf8')) as { properties: Record<string, unknown> };

describe('README', () => {
  it('keeps the two-line quick start', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
  });

  it('offers no way to start a bin that drops its memory flags (node dist/bin/...), and the license is there', () => {
    expect(readme).not.toMatch(/node dist\/bin\//);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { license: string; files: string[] };
    expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).toMatch(new RegExp(`^${pkg.license} License`));
    expect(pkg.files).toContain('LICENSE');
  });

  it('documents every config setting and every record column', () => {
    for (const name of Object.keys(spec.properties)) expect(readme, name).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(schema.properties)) expect(readme, name).toContain(`| \`${name}\` |`);
  });
});
