import { setMaxListeners } from 'node:events';
import { PageChannel } from './page-channel.js';

/**
 * Runs `produce` for each item, `width` items at a time, and yields what they `put`, in order of arrival (one
 * producer's values in its own order), through a bounded channel: a slow consumer holds the producers back, so
 * memory stays at `capacity` values however much they read. The first failure stops the others (their signal
 * aborts, and a request in flight with it) and is thrown to the consumer; a consumer that stops early aborts them
 * too. Every request a producer sends should carry `signal`.
 */
export async function* fanIn<I, T>(
  items: readonly I[],
  options: { width: number; capacity?: number; stopReason: string },
  produce: (item: I, put: (value: T) => Promise<void>, signal: AbortSignal) => Promise<void>,
): AsyncGenerator<T> {
  if (items.length === 0) return;
  const width = Math.max(1, Math.min(options.width, items.length));
  const channel = new PageChannel<{ value: T } | { failed: unknown }>(options.capacity ?? width);
  const abort = new AbortController();
  // Every request in flight listens on this one signal: more than Node's default of 10 is expected.
  setMaxListeners(0, abort.signal);
  const put = (value: T) => channel.put({ value });
  let next = 0;
  const worker = async () => {
    while (next < items.length && !abort.signal.aborted) await produce(items[next++] as I, put, abort.signal);
  };
  let running = width;
  for (let i = 0; i < width; i += 1) {
    void worker()
      .catch((error: unknown) => (abort.signal.aborted ? undefined : channel.put({ failed: error }, true)))
      .finally(() => {
        running -= 1;
        if (running === 0) channel.close();
      });
  }
  try {
    for (;;) {
      const item = await channel.take();
      if (item === undefined) return;
      if ('failed' in item) throw item.failed;
      yield item.value;
    }
  } finally {
    abort.abort(new Error(options.stopReason));
    channel.close();
  }
}
