// Klaviyo's gateway counts a request against the rate limit when it arrives, however long the page then
// takes to build. The simulator is one thread: if it built each page as the request came in, a burst of
// requests would be stamped one page-build apart (a 150 KB page takes milliseconds), so the last of a burst
// would be counted tens of ms late and a client pacing exactly at the limit would get 429s that Klaviyo
// would not send. So arrivals are stamped at once and the pages built here, one per turn of the event loop,
// letting the requests that arrive meanwhile be stamped between two builds.
//
// New connections need more: Node accepts one per turn of the event loop (libuv#3696), so a client opening
// 16 connections at once would see its requests stamped 16 builds apart. While connections keep arriving,
// builds wait.

/** A burst of up to this many new connections is stamped before the next build. */
const MAX_HELD_TURNS = 64;

export class BackendQueue {
  private readonly jobs: Array<() => void> = [];
  private scheduled = false;
  private connecting = false;
  /** Turns in a row without a build, so a stream of new connections cannot starve the builds. */
  private heldTurns = 0;

  /** Runs `job` after the jobs queued before it, never in the caller's turn. */
  run(job: () => void): void {
    this.jobs.push(job);
    this.schedule();
  }

  /** A connection was accepted: another may be waiting for the next turn, so no build runs in this one. */
  connectionAccepted(): void {
    this.connecting = true;
  }

  private schedule(): void {
    if (this.scheduled || this.jobs.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.connecting && this.heldTurns < MAX_HELD_TURNS) {
        this.connecting = false;
        this.heldTurns += 1;
        this.schedule();
        return;
      }
      this.connecting = false;
      this.heldTurns = 0;
      const job = this.jobs.shift();
      try {
        job?.();
      } finally {
        this.schedule();
      }
    });
  }
}
