import type { LineWriter } from './line-writer.js';

/**
 * On SIGTERM (a cancelled sync, a container stop), ends the process at once with exit 143, after `farewell`
 * and whatever lines are queued. Only whole lines ever leave: the writer hands the output whole chunks of
 * whole lines, and pipes and files are written synchronously on Linux. The next run resumes from the last
 * STATE that got out. Returns a function that removes the handler.
 */
export function stopOnSigterm(out: LineWriter, farewell: () => void): () => void {
  const onTerm = () => {
    farewell();
    void out.flush();
    process.exit(143);
  };
  process.once('SIGTERM', onTerm);
  return () => process.off('SIGTERM', onTerm);
}
