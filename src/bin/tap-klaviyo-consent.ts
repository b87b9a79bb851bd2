#!/usr/bin/env -S node --max-old-space-size=128 --max-semi-space-size=4
// The V8 flags above keep memory flat: a full-speed sync holds ~15 MB of live data, but V8 left alone grows its
// heap lazily to ~200 MB. 128 MB of old space is eight times what a sync needs. Running `node <this file>`
// directly skips them; the Dockerfile's ENTRYPOINT repeats them.
import { main } from '../protocols/singer/cli.js';

const code = await main(process.argv);
// Keep-alive sockets would hold the process open; all output has been flushed by now.
process.exit(code);
