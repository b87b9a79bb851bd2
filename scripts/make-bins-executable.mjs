// tsc drops the executable bit; npm links bins from dist/bin, and the Dockerfile and tests run them directly.
import { chmod, readdir } from 'node:fs/promises';

const dir = new URL('../dist/bin/', import.meta.url);
for (const name of await readdir(dir)) {
  if (name.endsWith('.js')) await chmod(new URL(name, dir), 0o755);
}
