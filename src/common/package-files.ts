import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs from src/ under vitest and from dist/ when installed or in Docker: find the package root by walking
// up to package.json rather than counting '../' per layout.
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'spec.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('source-klaviyo-consent: cannot find package.json and spec.json above ' + fileURLToPath(import.meta.url));
}

export const packageRoot = findPackageRoot();

export function readPackageJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(packageRoot, relativePath), 'utf8'));
}

export function packageVersion(): string {
  const pkg = readPackageJson('package.json') as { version?: string };
  return pkg.version ?? '0.0.0';
}
