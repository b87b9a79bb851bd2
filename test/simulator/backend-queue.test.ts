import { describe, expect, it } from 'vitest';
import { BackendQueue } from '../../src/simulator/http/backend-queue.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BackendQueue (pages built after their arrival was stamped)', () => {
  it('runs jobs in order, never in the caller\'s turn, one per turn of the event loop', async () => {
    const queue = new BackendQueue();
    const order: string[] = [];
    queue.run(() => order.push('a'));
    queue.run(() => order.push('b'));
    expect(order).toEqual([]);
    setImmediate(() => order.push('turn'));
    await nextTurn();
    await nextTurn();
    // 'a' ran in the first turn, and 'b' only in the next: between them, arrivals are read and stamped
    expect(order).toEqual(['a', 'turn', 'b']);
  });

  it('holds builds for a turn after each accepted connection, so a burst of new connections is stamped at once', async () => {
    const queue = new BackendQueue();
    const order: string[] = [];
    queue.run(() => order.push('build'));
    queue.connectionAccepted();
    setImmediate(() => order.push('turn'));
    await nextTurn();
    await nextTurn();
    expect(order).toEqual(['turn', 'build']);
  });

  it('builds anyway after a long stream of new connections, so they cannot starve the builds', async () => {
    const queue = new BackendQueue();
    let built = false;
    queue.run(() => (built = true));
    let turns = 0;
    while (!built && turns < 200) {
      queue.connectionAccepted();
      await nextTurn();
      turns += 1;
    }
    expect(built).toBe(true);
    expect(turns).toBeLessThanOrEqual(70);
  });
});
