#!/usr/bin/env -S node --max-old-space-size=128 --max-semi-space-size=4
// The same V8 flags as the other bins: memory stays flat however many records come in.
import { main } from '../protocols/singer/target/cli.js';

const code = await main(process.argv);
// Keep-alive sockets would hold the process open; all output has been flushed by now.
process.exit(code);
