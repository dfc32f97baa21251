import { InvalidStateError } from './errors.js';
import type { Future } from './future.js';
import { type HoldHost, HoldRequest } from './internal/hold.js';
import { WaiterList } from './internal/waiters.js';
import { signalOf } from './internal/signal.js';
import { checkFunction, checkInteger } from './internal/validate.js';
import type { SignalOptions } from './options.js';

let setBound: (semaphore: Semaphore, bound: number) => void;

/**
 * A counter of permits: Python's `asyncio.Semaphore`. `acquire()` takes a permit, waiting while
 * there is none; `release()` gives one back. Use it to bound concurrency.
 *
 * Fair: `release()` hands the permit straight to the first waiter, and `acquire()` queues behind
 * anyone already waiting, so permits go out in the order they were asked for (Python 3.13 is
 * FIFO too).
 *
 * Scoped forms: `using _ = await sem.acquire()` (`acquire()` resolves to the semaphore, whose
 * `[Symbol.dispose]()` releases), and `await sem.hold(() => work())`, which is also the fastest
 * way to bound a fan-out.
 *
 * Differences from Python: `acquire()` resolves to the semaphore (not `true`) and takes
 * `{ signal }`; a negative or non-integer initial value is a `RangeError` (Python: `ValueError`).
 *
 * @example
 * ```ts
 * const sem = new Semaphore(16);
 * const pages = await gather(urls.map((url) => sem.hold(() => fetch(url))));
 * ```
 */
export class Semaphore {
  // Invariant: someone waits only while #value is 0 (release hands a permit over directly).
  #value: number;
  #bound = Infinity;
  readonly #waiters = new WaiterList<unknown>();
  readonly #host: HoldHost = { release: () => this.release(), waiters: this.#waiters };
  readonly #acquired: Promise<this> = Promise.resolve(this);

  /**
   * @param value the number of permits, an integer >= 0 (else `RangeError`/`TypeError` naming
   * `value`). @default 1
   */
  constructor(value = 1) {
    checkInteger('value', value, 0);
    this.#value = value;
  }

  /**
   * Waits for a permit and takes it; resolves to the semaphore (so that
   * `using _ = await sem.acquire()` releases it at the end of the block). Aborting
   * `options.signal` while waiting rejects with `signal.reason` and leaves the queue; an already
   * aborted signal rejects at once, without taking a permit.
   *
   * @example
   * ```ts
   * await sem.acquire();
   * try {
   *   await work();
   * } finally {
   *   sem.release();
   * }
   * ```
   */
  acquire(options?: SignalOptions): Promise<this> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#value > 0) {
      this.#value--;
      return this.#acquired;
    }
    return this.#waiters.wait(signal) as Promise<this>;
  }

  /**
   * Gives a permit back: to the first waiter if there is one, else to the counter. (A plain
   * `Semaphore` may be released more often than acquired, raising its value, as in Python; a
   * {@link BoundedSemaphore} may not.)
   *
   * @example
   * ```ts
   * const sem = new Semaphore(0);
   * const p = sem.acquire();
   * sem.release(); // p resolves
   * ```
   */
  release(): void {
    if (this.#value >= this.#bound) {
      throw new InvalidStateError(
        `Cannot release the BoundedSemaphore: it was released more times than acquired (its initial value is ${this.#bound}).`,
      );
    }
    if (!this.#waiters.wakeFirst(this)) this.#value++;
  }

  /**
   * True when `acquire()` would wait: no permit is free (which is also the case whenever
   * someone is waiting).
   *
   * @example
   * ```ts
   * const sem = new Semaphore(1);
   * await sem.acquire();
   * sem.locked(); // true
   * ```
   */
  locked(): boolean {
    return this.#value === 0;
  }

  /**
   * Takes a permit, runs `fn`, gives the permit back once `fn` has settled (also when it
   * throws), and resolves with `fn`'s value. With a permit free `fn` starts at once; otherwise it
   * starts when its turn comes (FIFO with `acquire()` calls).
   *
   * Returns a {@link Future} (awaitable like a promise, and accepted by `gather`/`wait`): a
   * waiting `hold` costs no promise at all, and a running one the single promise that follows
   * `fn`'s result, which is what makes a million-item `gather` of them cheap. `cancel()` on it
   * while `fn` has not started removes it from the queue (it ends cancelled and `fn` never runs;
   * cancelling the `gather` does this for all of them); once `fn` runs it cannot be cancelled
   * (`running()` is true, `cancel()` returns false). Aborting `options.signal` while waiting
   * rejects it with `signal.reason`. As for every tsio future, a failure nobody awaits is not an
   * unhandled rejection.
   *
   * @example
   * ```ts
   * const sem = new Semaphore(4);
   * const sizes = await gather(files.map((f) => sem.hold(() => stat(f).then((s) => s.size))));
   * ```
   */
  hold<T>(fn: () => T | PromiseLike<T>, options?: SignalOptions): Future<Awaited<T>> {
    checkFunction('fn', fn);
    const signal = options === undefined ? undefined : signalOf(options);
    const request = new HoldRequest<Awaited<T>>(this.#host, fn as () => Awaited<T>);
    if (signal?.aborted) {
      request.reject(signal.reason);
      return request;
    }
    if (this.#value > 0) {
      this.#value--;
      return request.start();
    }
    return request.park(signal);
  }

  /** Releases a permit (as {@link Semaphore.release}), for `using _ = await sem.acquire()`. */
  [Symbol.dispose](): void {
    this.release();
  }

  get [Symbol.toStringTag](): string {
    return 'Semaphore';
  }

  static {
    setBound = (semaphore, bound) => {
      semaphore.#bound = bound;
    };
  }
}

/**
 * A {@link Semaphore} that may not be released more times than it was acquired: Python's
 * `asyncio.BoundedSemaphore`. A `release()` that would raise the value above the initial value
 * throws {@link InvalidStateError} (Python: `ValueError`), which catches a double release.
 *
 * @example
 * ```ts
 * const sem = new BoundedSemaphore(2);
 * await sem.acquire();
 * sem.release();
 * sem.release(); // throws InvalidStateError
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /**
   * @param value the number of permits and the most the value may reach, an integer >= 0.
   * @default 1
   */
  constructor(value = 1) {
    super(value);
    setBound(this, value);
  }

  override get [Symbol.toStringTag](): string {
    return 'BoundedSemaphore';
  }
}
