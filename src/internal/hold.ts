/**
 * The callback form shared by `Lock.hold` and `Semaphore.hold`: one object per call that is at
 * once the returned {@link Future}, the waiter parked in the primitive's {@link WaiterList}, and
 * the record of the callback to run. A waiting `hold` therefore costs no promise at all, and a
 * running one costs the single promise that follows the callback's result; `gather` listens to
 * the future directly. This is what keeps `gather(items.map((i) => sem.hold(() => work(i))))`
 * over a million items cheap: a million of these wait at once, so they are kept small.
 */
import { isCancelledError } from '../errors.js';
import { Future, STATE } from '../future.js';
import { schedule } from './schedule.js';
import { isThenable } from './validate.js';
import type { Waiter, WaiterList } from './waiters.js';

/**
 * True only while a finishing request gives its lock or permit back (inside a promise callback
 * of ours, never inside user code): a request granted then may start at once instead of on a
 * later microtask, unless requests granted earlier are still scheduled (they start first: grant
 * order is start order). `depth` bounds the recursion when callbacks return synchronously.
 */
let handingOn = false;
let depth = 0;
let scheduled = 0;
const MAX_DEPTH = 32;

/** The primitive a hold is taken from (one per lock or semaphore, shared by its requests). */
export interface HoldHost {
  /** Gives the lock or permit back (the primitive's `release`). */
  release(): void;
  /** Where waiting requests are parked. */
  readonly waiters: WaiterList<unknown>;
}

/**
 * One `hold(fn)` call. `data` holds the callback until it runs (then null): so the request is
 * waiting or granted while `data !== null`, running while `data === null` and still pending.
 * Parked in the host's waiter list, it is granted by the primitive's `release()` (which calls
 * `resolve`, as for any waiter) and runs the callback on a later microtask.
 */
export class HoldRequest<T> extends Future<T> {
  data: (() => T | PromiseLike<T>) | null;
  prev: Waiter<unknown> | null = null;
  next: Waiter<unknown> | null = null;
  linked = false;
  declare signal: AbortSignal | undefined;
  declare onAbort: (() => void) | undefined;

  constructor(host: HoldHost, fn: () => T | PromiseLike<T>) {
    super();
    // While the request is pending, `_value` (the result slot) holds its host: one field less
    // on each of the million requests a bounded fan-out parks.
    this._value = host;
    this.data = fn;
  }

  #host(): HoldHost {
    return this._value as HoldHost;
  }

  /**
   * Runs the callback now (the caller has just taken the lock or permit for it), or after the
   * requests granted earlier that are still waiting to start, so callbacks start in grant order.
   */
  start(): this {
    if (scheduled > 0) {
      scheduled++;
      schedule(runRequest, this as HoldRequest<unknown>);
    } else {
      this.#run();
    }
    return this;
  }

  /**
   * Parks the request at the end of the host's waiter list until the primitive grants it.
   * Aborting `signal` first removes it and fails it with `signal.reason`.
   */
  park(signal: AbortSignal | undefined): this {
    this.#host().waiters.enqueue(this, signal);
    return this;
  }

  /** Waiter API: the lock or permit is now held for this request. */
  resolve(): void {
    if (handingOn && depth < MAX_DEPTH && scheduled === 0) {
      handingOn = false;
      depth++;
      try {
        this._runGranted();
      } finally {
        depth--;
      }
    } else {
      scheduled++;
      schedule(runRequest, this as HoldRequest<unknown>);
    }
  }

  /** Waiter API: the wait failed (its signal aborted); the callback never runs. */
  reject(reason: unknown): void {
    this.data = null;
    if (this._state === STATE.PENDING) {
      this._settle(isCancelledError(reason) ? STATE.CANCELLED : STATE.REJECTED, reason);
    }
  }

  /** True while the callback runs (it holds the lock or permit). */
  override running(): boolean {
    return this.data === null && this._state === STATE.PENDING;
  }

  /**
   * Cancels a request whose callback has not started: it leaves the queue (or hands on the lock
   * or permit it was just given), the callback never runs, and it ends cancelled: true. A
   * running callback cannot be stopped: false, as for an executor future that is running.
   */
  override cancel(message?: string): boolean {
    if (this.data === null || this._state !== STATE.PENDING) return false;
    const host = this.#host();
    // Waiting: leave the queue. Granted but not started yet: hand the lock or permit on now
    // (once settled, `_value` no longer holds the host).
    const granted = !this.linked;
    if (!granted) host.waiters.unlink(this);
    this.data = null;
    super.cancel(message);
    if (granted) {
      try {
        host.release();
      } catch {
        // Already given back by other code; nothing to hand on.
      }
    }
    return true;
  }

  /** @internal */
  _runGranted(): void {
    // A request cancelled between its grant and its run has handed its grant on already.
    if (this._state === STATE.PENDING) this.#run();
  }

  #run(): void {
    const fn = this.data!;
    this.data = null;
    let result: T | PromiseLike<T>;
    try {
      result = fn();
    } catch (error) {
      this.#finish(STATE.REJECTED, error);
      return;
    }
    if (isThenable(result)) {
      try {
        result.then(
          (value) => this.#finish(STATE.FULFILLED, value),
          (error: unknown) => this.#finish(STATE.REJECTED, error),
        );
      } catch (error) {
        this.#finish(STATE.REJECTED, error);
      }
    } else {
      this.#finish(STATE.FULFILLED, result);
    }
  }

  #finish(state: typeof STATE.FULFILLED | typeof STATE.REJECTED, value: unknown): void {
    if (this._state !== STATE.PENDING) return;
    // As a `finally` block: release first; if that throws, its error replaces the outcome.
    handingOn = true;
    try {
      this.#host().release();
    } catch (error) {
      state = STATE.REJECTED;
      value = error;
    } finally {
      handingOn = false;
    }
    // As for a task: a callback that ends with a CancelledError leaves the request cancelled.
    this._settle(
      state === STATE.REJECTED && isCancelledError(value) ? STATE.CANCELLED : state,
      value,
    );
  }
}

// Absent unless a signal is given, so a waiting request stays small.
Object.defineProperties(HoldRequest.prototype, {
  signal: { value: undefined, writable: true },
  onAbort: { value: undefined, writable: true },
});

function runRequest(request: HoldRequest<unknown>): void {
  scheduled--;
  request._runGranted();
}
