// A bounded hand-over between concurrent fetchers and the one consumer that emits records in order of
// arrival. When the consumer (stdout, the destination) is slower than Klaviyo, fetchers wait here: memory
// stays at `capacity` pages however large the account is.

export class PageChannel<T> {
  private readonly items: T[] = [];
  private readonly waitingPut: Array<() => void> = [];
  private waitingTake: ((item: T | undefined) => void) | undefined;
  private closed = false;

  constructor(private readonly capacity: number) {}

  /** Waits for room, then queues the item. Urgent items (notices) skip the capacity check. */
  async put(item: T, urgent = false): Promise<void> {
    while (!urgent && !this.closed && this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.waitingPut.push(resolve));
    }
    if (this.closed) return;
    if (this.waitingTake) {
      const take = this.waitingTake;
      this.waitingTake = undefined;
      take(item);
    } else {
      this.items.push(item);
    }
  }

  /** The next item, or undefined once closed and drained. */
  take(): Promise<T | undefined> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.waitingPut.shift()?.();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waitingTake = resolve));
  }

  /** No more items will be taken or put; every waiter is released. */
  close(): void {
    this.closed = true;
    this.waitingTake?.(undefined);
    this.waitingTake = undefined;
    for (const release of this.waitingPut.splice(0)) release();
  }
}
