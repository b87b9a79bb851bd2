import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/run-cli.js';

// No Docker engine runs on the build machine, so the image's contract with Airbyte is checked by reading.
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const metadata = parse(readFileSync(join(repoRoot, 'metadata.yaml'), 'utf8')) as { data: Record<string, any> }; // any: YAML document
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

const instruction = (name: string) => lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
const runtimeStage = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));

describe('Dockerfile', () => {
  it('is multi-stage with a small runtime image', () => {
    expect(instruction('FROM').length).toBeGreaterThanOrEqual(2);
    expect(runtimeStage[0]).toMatch(/alpine|slim|distroless/);
  });

  it('runs as the non-root airbyte user with a writable /airbyte', () => {
    expect(runtimeStage.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER airbyte');
    expect(runtimeStage.some((l) => /chown -R airbyte(:airbyte)? \/airbyte\b/.test(l))).toBe(true);
  });

  it('sets AIRBYTE_ENTRYPOINT to the absolute ENTRYPOINT, which points at the built bin', () => {
    const entrypoint = JSON.parse(instruction('ENTRYPOINT').at(-1)!) as string[];
    expect(entrypoint[0]).toMatch(/^\//);
    expect(entrypoint.at(-1)).toMatch(/^\//);
    const env = instruction('ENV').find((e) => e.startsWith('AIRBYTE_ENTRYPOINT='))!;
    expect(JSON.parse(env.slice('AIRBYTE_ENTRYPOINT='.length))).toBe(entrypoint.join(' '));
    const bin = pkg.bin['source-klaviyo-consent']!;
    expect(entrypoint.at(-1)).toBe(`/airbyte/integration_code/${bin}`);
    // the image runs with the same V8 flags as the bin's shebang
    const shebang = readFileSync(join(repoRoot, 'src/bin/source-klaviyo-consent.ts'), 'utf8').split('\n')[0]!;
    expect(shebang.replace('#!/usr/bin/env -S node ', '').split(' ')).toEqual(entrypoint.slice(1, -1));
  });

  it("labels equal metadata.yaml's dockerRepository and dockerImageTag, and the tag is the package version", () => {
    const labels = Object.fromEntries(instruction('LABEL').map((l) => l.split('=') as [string, string]));
    expect(labels['io.airbyte.name']).toBe(metadata.data.dockerRepository);
    expect(labels['io.airbyte.version']).toBe(metadata.data.dockerImageTag);
    expect(metadata.data.dockerImageTag).toBe(pkg.version);
    expect(metadata.data.connectorType).toBe('source');
  });

  it('copies only files that exist', () => {
    for (const copy of instruction('COPY').filter((c) => !c.startsWith('--from'))) {
      const sources = copy.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(join(repoRoot, source)), source).toBe(true);
    }
  });
});
