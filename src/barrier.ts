import { BrokenBarrierError } from './errors.js';
import { WaiterList } from './internal/waiters.js';
import { signalOf } from './internal/signal.js';
import { checkInteger } from './internal/validate.js';
import type { SignalOptions } from './options.js';

/**
 * A meeting point for a fixed number of tasks: Python's `asyncio.Barrier`. Each task calls
 * `wait()`; when `parties` tasks are waiting, all of them go on at once, each with its index
 * (0 for the first to arrive, `parties - 1` for the last), and the barrier is ready for the next
 * round. Use the index to elect one task for a job (`if (i === 0) ...`).
 *
 * `abort()` breaks the barrier: waiters and later `wait()` calls reject with
 * {@link BrokenBarrierError} until `reset()`. `reset()` rejects the current waiters with
 * `BrokenBarrierError` and starts over with an empty, unbroken barrier.
 *
 * Scoped form: `using barrier = new Barrier(n)` aborts the barrier when the scope ends
 * (`[Symbol.dispose]()` is `abort()`), so no task is left waiting forever for parties that will
 * never come.
 *
 * Differences from Python: `reset()` and `abort()` are synchronous (nothing to wait for in a
 * single-threaded loop), so Python's transient "draining" and "resetting" states end at once: the
 * released or reset waiters leave the barrier in the same call, and a task arriving just after
 * starts the next round. A waiter whose `signal` aborts leaves without breaking the barrier (as a
 * cancelled waiter in Python), and indices are given out when the barrier opens, in arrival order
 * among the tasks still waiting, so they are always exactly `0..parties-1` (Python can repeat an
 * index after a cancelled wait).
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * await gather([0, 1, 2].map(async (id) => {
 *   await prepare(id);
 *   const i = await barrier.wait(); // all three are prepared here
 *   if (i === 0) console.log('everyone is ready');
 * }));
 * ```
 */
export class Barrier {
  readonly #parties: number;
  #broken = false;
  readonly #waiters = new WaiterList<number>();

  /** @param parties how many tasks must call `wait()` to open the barrier: an integer >= 1. */
  constructor(parties: number) {
    checkInteger('parties', parties, 1);
    this.#parties = parties;
  }

  /**
   * Waits until `parties` tasks are waiting, then resolves with this task's index
   * (`0..parties-1`, in arrival order). Rejects with {@link BrokenBarrierError} if the barrier is
   * broken, or becomes broken or is reset while waiting. Aborting `options.signal` rejects with
   * `signal.reason` and leaves the barrier without breaking it.
   *
   * @example
   * ```ts
   * const index = await barrier.wait({ signal });
   * ```
   */
  wait(options?: SignalOptions): Promise<number> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#broken) {
      return Promise.reject(new BrokenBarrierError('The barrier is broken: it was aborted.'));
    }
    const waiters = this.#waiters;
    if (waiters.size + 1 < this.#parties) return waiters.wait(signal);
    const index = waiters.size;
    for (let i = 0, w = waiters.shift(); w !== null; w = waiters.shift()) w.resolve(i++);
    return Promise.resolve(index);
  }

  /**
   * Returns the barrier to its initial state: the tasks waiting now reject with
   * {@link BrokenBarrierError}, a broken barrier is mended, and the next `parties` tasks to
   * wait open it.
   *
   * @example
   * ```ts
   * barrier.abort();
   * barrier.reset();
   * barrier.broken; // false
   * ```
   */
  reset(): void {
    this.#broken = false;
    this.#rejectAll('The barrier was reset while waiting.');
  }

  /**
   * Breaks the barrier: the tasks waiting now, and every later `wait()` until `reset()`, reject
   * with {@link BrokenBarrierError}. Use it when a party cannot come, so the others do not wait
   * forever.
   *
   * @example
   * ```ts
   * try {
   *   await prepare();
   * } catch (e) {
   *   barrier.abort();
   *   throw e;
   * }
   * ```
   */
  abort(): void {
    this.#broken = true;
    this.#rejectAll('The barrier was aborted while waiting.');
  }

  /**
   * The number of tasks needed to open the barrier.
   *
   * @example
   * ```ts
   * new Barrier(3).parties; // 3
   * ```
   */
  get parties(): number {
    return this.#parties;
  }

  /**
   * The number of tasks waiting now (0 when broken). Python's `n_waiting`.
   *
   * @example
   * ```ts
   * void barrier.wait();
   * barrier.nWaiting; // 1
   * ```
   */
  get nWaiting(): number {
    return this.#waiters.size;
  }

  /**
   * True while the barrier is broken (after `abort()`, until `reset()`).
   *
   * @example
   * ```ts
   * barrier.abort();
   * barrier.broken; // true
   * ```
   */
  get broken(): boolean {
    return this.#broken;
  }

  /** Aborts the barrier (as {@link Barrier.abort}) when a `using` scope ends. */
  [Symbol.dispose](): void {
    this.abort();
  }

  get [Symbol.toStringTag](): string {
    return 'Barrier';
  }

  #rejectAll(message: string): void {
    const waiters = this.#waiters;
    for (let w = waiters.shift(); w !== null; w = waiters.shift()) {
      w.reject(new BrokenBarrierError(message));
    }
  }
}
