#!/usr/bin/env node
import { main } from '../protocols/singer/cli.js';

const code = await main(process.argv);
// Keep-alive sockets would hold the process open; all output has been flushed by now.
process.exit(code);
