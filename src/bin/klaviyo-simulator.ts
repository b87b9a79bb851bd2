#!/usr/bin/env node
import { startFromCli } from '../simulator/cli.js';

const io = {
  stdout: (line: string) => process.stdout.write(`${line}\n`),
  stderr: (line: string) => process.stderr.write(`${line}\n`),
};

const started = await startFromCli(process.argv.slice(2), io);
if (typeof started === 'number') {
  process.exitCode = started;
} else {
  const stop = (): void => {
    // A last JSON line with what was served, so a benchmark can count 429s from the server's side, and anyone
    // can see whether a client sent requests the real Klaviyo would refuse.
    const { requests, byStatus, faults, refused, refusedBy } = started.stats;
    io.stdout(
      JSON.stringify({
        stopped: true,
        requests,
        by_status: byStatus,
        refused,
        refused_by: refusedBy,
        faults: { throttle: faults.throttle, server_error: faults.serverError, reset: faults.reset, garbage: faults.garbage },
      }),
    );
    // Exit explicitly once closed: the simulator must stop promptly even with clients still attached.
    void started.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
