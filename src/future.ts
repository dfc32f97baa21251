import { CancelledError, InvalidStateError } from './errors.js';
import { schedule } from './internal/schedule.js';
import { checkFunction } from './internal/validate.js';

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const CANCELLED = 3;
type State = typeof PENDING | typeof FULFILLED | typeof REJECTED | typeof CANCELLED;

const FUTURE_BRAND = Symbol.for('tsio.Future');

/**
 * @internal A synchronous completion listener (tsio's own combinators use these), called with
 * the future and the data it was registered with.
 */
export type Listener = (future: Future<unknown>, data: unknown) => void;

/** A callback given to {@link Future.addDoneCallback}. */
export type DoneCallback<T> = (future: Future<T>) => void;

interface DoneCallbacks {
  future: Future<unknown>;
  callbacks: DoneCallback<unknown>[];
}

function callDoneCallbacks({ future, callbacks }: DoneCallbacks): void {
  let failure: { error: unknown } | undefined;
  for (const cb of callbacks) {
    try {
      cb(future);
    } catch (error) {
      failure ??= { error };
    }
  }
  // A throwing callback is reported as an uncaught exception, as a throwing event listener is;
  // the other callbacks still run.
  if (failure) throw failure.error;
}

/** The listener that holds a future's done callbacks; runs them on a later microtask. */
const runDoneCallbacks: Listener = (future, callbacks) => {
  schedule(callDoneCallbacks, { future, callbacks: callbacks as DoneCallback<unknown>[] });
};

interface Settlers {
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

function settlePromise(f: Future<unknown>, data: unknown): void {
  const { resolve, reject } = data as Settlers;
  if (f._state === FULFILLED) resolve(f._value);
  else reject(f._value);
}

/**
 * The result of an asynchronous operation that will be set later: Python's `asyncio.Future`.
 *
 * A `Future` is awaitable (`PromiseLike`), and it can also be inspected without waiting:
 * `done()`, `cancelled()`, `result()`, `exception()`. Whoever owns it completes it with
 * `setResult`, `setException` or `cancel`. A future that fails while nobody awaits it never
 * causes an unhandled rejection.
 *
 * Differences from Python: `result()`/`exception()` of a pending future throw
 * {@link InvalidStateError} as in Python; done callbacks run on a later microtask (Python's
 * `call_soon`); awaiting uses `then`, so a future can be passed wherever a promise is expected.
 *
 * @example
 * ```ts
 * const fut = new Future<number>();
 * setTimeout(() => fut.setResult(42), 10);
 * console.log(await fut); // 42
 * console.log(fut.done(), fut.result()); // true 42
 * ```
 */
export class Future<T> implements PromiseLike<T> {
  // Kept small: a million tasks means a million of these. A single listener is stored inline
  // (`_listeners` + `_data`); more go into an array of [listener, data] pairs. Done callbacks
  // are one such pair: (runDoneCallbacks, array of callbacks).
  /** @internal */ _state: State = PENDING;
  /** @internal */ _value: unknown = undefined;
  /** @internal */ _listeners: Listener | unknown[] | null = null;
  /** @internal */ _data: unknown = undefined;

  /** True when the future has a result, an exception, or was cancelled. */
  done(): boolean {
    return this._state !== PENDING;
  }

  /** True when the future was cancelled. */
  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  /**
   * True while an executor is running the work behind this future. Futures of the event loop
   * (plain futures, tasks, gather) always answer false, as Python's have no such state.
   */
  running(): boolean {
    return false;
  }

  /**
   * The result. Throws the exception if the future failed, its {@link CancelledError} if it was
   * cancelled, and {@link InvalidStateError} if it is not done yet. Never waits.
   *
   * @example
   * ```ts
   * const f = new Future<string>(); f.setResult('ok'); f.result(); // 'ok'
   * ```
   */
  result(): T {
    switch (this._state) {
      case FULFILLED:
        return this._value as T;
      case PENDING:
        throw new InvalidStateError('Result is not set: the future is still pending.');
      default:
        throw this._value;
    }
  }

  /**
   * The exception the future failed with, or `undefined` if it succeeded. Throws
   * {@link CancelledError} if it was cancelled and {@link InvalidStateError} if it is pending.
   *
   * @example
   * ```ts
   * const f = new Future(); f.setException(new Error('x')); f.exception(); // Error: x
   * ```
   */
  exception(): unknown {
    switch (this._state) {
      case FULFILLED:
        return undefined;
      case REJECTED:
        return this._value;
      case PENDING:
        throw new InvalidStateError('Exception is not set: the future is still pending.');
      default:
        throw this._value;
    }
  }

  /**
   * Completes the future with `value`. Throws {@link InvalidStateError} if it is already done.
   *
   * @example
   * ```ts
   * const f = new Future<number>(); f.setResult(1); await f; // 1
   * ```
   */
  setResult(value: T): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(
        `Cannot set the result: the future is already ${this._stateName()}.`,
      );
    }
    this._settle(FULFILLED, value);
  }

  /**
   * Fails the future with `error`. Throws {@link InvalidStateError} if it is already done. A
   * {@link CancelledError} is stored as an exception (the future is not `cancelled()`), as in
   * Python; use `cancel()` to cancel.
   *
   * @example
   * ```ts
   * const f = new Future(); f.setException(new Error('boom'));
   * await f.then(undefined, (e) => e.message); // 'boom'
   * ```
   */
  setException(error: unknown): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(
        `Cannot set the exception: the future is already ${this._stateName()}.`,
      );
    }
    this._settle(REJECTED, error);
  }

  /**
   * Cancels the future: returns false if it is already done, otherwise marks it cancelled with a
   * new {@link CancelledError}(`message`), schedules its callbacks and returns true.
   *
   * @example
   * ```ts
   * const f = new Future(); f.cancel('stop'); f.cancelled(); // true
   * ```
   */
  cancel(message?: string): boolean {
    if (this._state !== PENDING) return false;
    this._settle(CANCELLED, new CancelledError(message));
    return true;
  }

  /**
   * Calls `callback(future)` once the future is done, on a later microtask (also when it is done
   * already), in registration order. Never called synchronously inside `setResult`,
   * `setException` or `cancel`.
   *
   * @example
   * ```ts
   * fut.addDoneCallback((f) => console.log('done:', f.result()));
   * ```
   */
  addDoneCallback(callback: DoneCallback<T>): void {
    checkFunction('callback', callback);
    if (this._state !== PENDING) {
      schedule(callDoneCallbacks, {
        future: this,
        callbacks: [callback as DoneCallback<unknown>],
      });
      return;
    }
    const list = this._doneCallbackList();
    if (list !== null) list.push(callback as DoneCallback<unknown>);
    else this._listen(runDoneCallbacks, [callback]);
  }

  /**
   * Removes every registration of `callback` that has not run yet; returns how many.
   *
   * @example
   * ```ts
   * fut.addDoneCallback(cb); fut.removeDoneCallback(cb); // 1
   * ```
   */
  removeDoneCallback(callback: DoneCallback<T>): number {
    const list = this._doneCallbackList();
    if (list === null) return 0;
    let kept = 0;
    for (const cb of list) if (cb !== callback) list[kept++] = cb;
    const removed = list.length - kept;
    list.length = kept;
    return removed;
  }

  /** @internal The array of done callbacks registered as a listener, if any. */
  _doneCallbackList(): DoneCallback<unknown>[] | null {
    const l = this._listeners;
    if (l === runDoneCallbacks) return this._data as DoneCallback<unknown>[];
    if (Array.isArray(l)) {
      for (let i = 0; i < l.length; i += 2) {
        if (l[i] === runDoneCallbacks) return l[i + 1] as DoneCallback<unknown>[];
      }
    }
    return null;
  }

  /**
   * Awaiting a future resolves with its result, or rejects with its exception or
   * {@link CancelledError}.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this._toPromise().then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this._toPromise().then(undefined, onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this._toPromise().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'Future';
  }

  /** True for futures and tasks of any copy of tsio. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      isFuture(value) &&
      (this === Future || Function.prototype[Symbol.hasInstance].call(this, value))
    );
  }

  /** @internal */
  _toPromise(): Promise<T> {
    switch (this._state) {
      case FULFILLED:
        return Promise.resolve(this._value as T);
      case PENDING:
        return new Promise<T>((resolve, reject) => {
          this._listen(settlePromise, { resolve, reject });
        });
      default:
        // Only ever handed to `then` at once, so this rejection is always handled.
        return Promise.reject(this._value);
    }
  }

  /** @internal */
  _stateName(): string {
    return ['pending', 'finished', 'failed', 'cancelled'][this._state]!;
  }

  /**
   * @internal Registers `listener(future, data)`, called synchronously when the future completes
   * (at once if it is done). Listeners must not throw.
   */
  _listen(listener: Listener, data?: unknown): void {
    if (this._state !== PENDING) {
      listener(this, data);
      return;
    }
    const l = this._listeners;
    if (l === null) {
      this._listeners = listener;
      this._data = data;
    } else if (typeof l === 'function') {
      this._listeners = [l, this._data, listener, data];
      this._data = undefined;
    } else l.push(listener, data);
  }

  /** @internal Removes the first registration of `listener` with `data`. */
  _unlisten(listener: Listener, data?: unknown): void {
    const l = this._listeners;
    if (l === listener && this._data === data) {
      this._listeners = null;
      this._data = undefined;
    } else if (Array.isArray(l)) {
      for (let i = 0; i < l.length; i += 2) {
        if (l[i] === listener && l[i + 1] === data) {
          l.splice(i, 2);
          return;
        }
      }
    }
  }

  /** @internal Completes the future; the caller has checked it is pending. */
  _settle(state: State, value: unknown): void {
    this._state = state;
    this._value = value;
    const l = this._listeners;
    if (l !== null) {
      const data = this._data;
      this._listeners = null;
      this._data = undefined;
      if (typeof l === 'function') l(this, data);
      else for (let i = 0; i < l.length; i += 2) (l[i] as Listener)(this, l[i + 1]);
    }
  }
}

Object.defineProperty(Future.prototype, FUTURE_BRAND, { value: true });

/** @internal State constants for tsio's own modules. */
export const STATE = { PENDING, FULFILLED, REJECTED, CANCELLED } as const;

/**
 * True for a tsio {@link Future} or {@link Task} (from any copy of tsio): Python's
 * `asyncio.isfuture`.
 *
 * @example
 * ```ts
 * isFuture(createTask(async () => 1)); // true
 * isFuture(Promise.resolve(1)); // false
 * ```
 */
export function isFuture(value: unknown): value is Future<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[FUTURE_BRAND] === true
  );
}
