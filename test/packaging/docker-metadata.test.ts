import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/run-cli.js';

// No Docker engine runs on the build machine, so each image's contract with Airbyte is checked by reading.
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; engines: { node: string } };

// End of life of each Node major (nodejs.org release schedule): an image on a major past it runs unpatched.
const NODE_END_OF_LIFE: Record<number, string> = { 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30', 26: '2029-04-30' };

const IMAGES = [
  { dockerfile: 'Dockerfile', metadata: 'metadata.yaml', bin: 'source-klaviyo-consent', connectorType: 'source' },
  { dockerfile: 'destination/Dockerfile', metadata: 'destination/metadata.yaml', bin: 'destination-klaviyo-consent', connectorType: 'destination' },
];

describe.each(IMAGES)('$dockerfile', ({ dockerfile: file, metadata: metadataFile, bin: binName, connectorType }) => {
  const dockerfile = readFileSync(join(repoRoot, file), 'utf8');
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const metadata = parse(readFileSync(join(repoRoot, metadataFile), 'utf8')) as { data: Record<string, any> }; // any: YAML document
  const instruction = (name: string) => lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
  const runtimeStage = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));
  const buildStage = lines.slice(lines.findIndex((l) => l.startsWith('FROM ')), lines.findLastIndex((l) => l.startsWith('FROM ')));
  const args = Object.fromEntries(instruction('ARG').map((a) => a.split('=') as [string, string]));
  /** Each FROM's image, with ${ARG}s resolved. */
  const images = instruction('FROM').map((from) => from.split(/\s+/)[0]!.replace(/\$\{(\w+)\}/g, (_m, name: string) => args[name] ?? ''));

  it('is multi-stage with a small runtime image', () => {
    expect(instruction('FROM').length).toBeGreaterThanOrEqual(2);
    expect(images.at(-1)).toMatch(/alpine|slim|distroless/);
  });

  it('runs every stage on one pinned release of a supported even (LTS) Node major that package.json allows', () => {
    expect(new Set(images).size).toBe(1);
    const version = /^node:(\d+)\.(\d+)\.(\d+)-/.exec(images[0]!);
    expect(version, `${images[0]} pins major.minor.patch`).not.toBeNull();
    const major = Number(version![1]);
    expect(major % 2, 'an LTS line').toBe(0);
    expect(NODE_END_OF_LIFE[major], `end of life of Node ${major} is known`).toBeDefined();
    expect(Date.parse(NODE_END_OF_LIFE[major]!), `Node ${major} is past its end of life`).toBeGreaterThan(Date.now());
    expect(major).toBeGreaterThanOrEqual(Number(/>=(\d+)/.exec(pkg.engines.node)![1]));
  });

  it('fails its build stage at the step that broke: one command per RUN, the bin checked', () => {
    const runs = buildStage.filter((l) => l.startsWith('RUN '));
    expect(runs.some((r) => /npm ci/.test(r))).toBe(true);
    expect(runs.some((r) => /npm run build/.test(r))).toBe(true);
    for (const run of runs) expect(run, 'one command per RUN').not.toMatch(/&&|;/);
    expect(runs).toContain(`RUN test -x ${pkg.bin[binName]}`);
  });

  it('runs as the non-root airbyte user, the code owned by root and copied once', () => {
    expect(runtimeStage.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER airbyte');
    expect(runtimeStage.some((l) => /chown/.test(l)), 'no chown: a second copy of the code, writable by its user').toBe(false);
    expect(runtimeStage.filter((l) => l.startsWith('COPY ')).some((l) => /--chown/.test(l))).toBe(false);
  });

  it("runs node under tini, from the base image's packages, so SIGTERM stops it at once", () => {
    expect(runtimeStage.some((l) => /^RUN apk add --no-cache tini\b/.test(l))).toBe(true);
    const entrypoint = JSON.parse(instruction('ENTRYPOINT').at(-1)!) as string[];
    expect(entrypoint.slice(0, 2)).toEqual(['/sbin/tini', '--']);
  });

  it('sets AIRBYTE_ENTRYPOINT to the absolute ENTRYPOINT, which points at the built bin', () => {
    const entrypoint = JSON.parse(instruction('ENTRYPOINT').at(-1)!) as string[];
    expect(entrypoint[0]).toMatch(/^\//);
    expect(entrypoint.at(-1)).toMatch(/^\//);
    const env = instruction('ENV').find((e) => e.startsWith('AIRBYTE_ENTRYPOINT='))!;
    expect(JSON.parse(env.slice('AIRBYTE_ENTRYPOINT='.length))).toBe(entrypoint.join(' '));
    expect(entrypoint.at(-1)).toBe(`/airbyte/integration_code/${pkg.bin[binName]}`);
    // the image runs with the same V8 flags as the bin's shebang
    const shebang = readFileSync(join(repoRoot, `src/bin/${binName}.ts`), 'utf8').split('\n')[0]!;
    const node = entrypoint.indexOf('/usr/local/bin/node');
    expect(shebang.replace('#!/usr/bin/env -S node ', '').split(' ')).toEqual(entrypoint.slice(node + 1, -1));
  });

  it("labels equal its metadata's dockerRepository and dockerImageTag, and the tag is the package version", () => {
    const labels = Object.fromEntries(instruction('LABEL').map((l) => l.split('=') as [string, string]));
    expect(labels['io.airbyte.name']).toBe(metadata.data.dockerRepository);
    expect(labels['io.airbyte.version']).toBe(metadata.data.dockerImageTag);
    expect(metadata.data.dockerImageTag).toBe(pkg.version);
    expect(metadata.data.connectorType).toBe(connectorType);
  });

  it('copies only files that exist', () => {
    for (const copy of instruction('COPY').filter((c) => !c.startsWith('--from'))) {
      const sources = copy.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(join(repoRoot, source)), source).toBe(true);
    }
  });
});
