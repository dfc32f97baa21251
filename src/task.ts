import { CancelledError, InvalidStateError, isCancelledError } from './errors.js';
import { Future, STATE } from './future.js';
import { checkFunction, checkOptions, checkString, isThenable } from './internal/validate.js';

/** The body of a task: gets the task's signal, returns a value or a promise. */
export type TaskBody<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/** Options of {@link createTask}. */
export interface TaskOptions {
  /** A name for logs and `toString()`. @default `Task-<n>` */
  name?: string | undefined;
}

let taskCounter = 0;

const TASK_BRAND = Symbol.for('tsio.Task');

// Tasks waiting for their first step. One microtask starts a whole batch (see `startBatch`).
let startQueue: Task<unknown>[] = [];
let startScheduled = false;

function startBatch(): void {
  // Tasks created while this runs are appended and started in the same batch, after the tasks
  // before them, never inside the `createTask` call that made them.
  for (let i = 0; i < startQueue.length; i++) {
    try {
      startQueue[i]!._start();
    } catch (error) {
      // Not reached by a body's own errors (they fail their task); anything else must not stop
      // the other tasks from starting, so it is reported as an uncaught exception.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  startQueue = [];
  startScheduled = false;
}

/** What few tasks need: kept out of line so a million plain tasks stay small. */
interface TaskExtra {
  controller: AbortController | null;
  name: string | undefined;
  cancelRequests: number;
  cancelMessage: string | undefined;
}

/**
 * A {@link Future} that runs a body: Python's `asyncio.Task`. Made by {@link createTask}.
 *
 * The body starts on a later microtask, never inside `createTask`; a task cancelled before it
 * starts never runs. `cancel()` is a request: it aborts `task.signal` with a
 * {@link CancelledError}, and the task is done when its body settles. If the body rejects with a
 * `CancelledError` (any one, as in Python), with the signal's reason, or with an `AbortError` after
 * the signal aborted, the task is cancelled; if it returns, the task has that result (it swallowed
 * the cancellation); if it throws anything else, the task failed with that error.
 *
 * JavaScript cannot interrupt an `await`: the body sees cancellation only through its signal, so
 * it should pass `signal` to whatever it waits on (`sleep(ms, undefined, { signal })`, `fetch`).
 *
 * @example
 * ```ts
 * const task = createTask(async (signal) => {
 *   await sleep(1000, undefined, { signal });
 *   return 'slept';
 * }, { name: 'sleeper' });
 * task.cancel();
 * await task.catch((e) => console.log(e.name)); // CancelledError
 * console.log(task.cancelled()); // true
 * ```
 */
export class Task<T> extends Future<T> {
  // Lean on purpose (see Future): until the body starts, `_value` holds the body itself.
  /** @internal */ _extra: TaskExtra | null = null;
  /** @internal */ _id: number;

  /** @internal Use {@link createTask}. */
  constructor(body: TaskBody<T>, name: string | undefined) {
    super();
    this._value = body;
    // As in Python, only unnamed tasks take a number.
    if (name === undefined) this._id = ++taskCounter;
    else {
      this._id = 0;
      this._more().name = name;
    }
  }

  /** @internal */
  _more(): TaskExtra {
    return (this._extra ??= {
      controller: null,
      name: undefined,
      cancelRequests: 0,
      cancelMessage: undefined,
    });
  }

  /** The task's name (`Task-<n>` unless one was given). */
  get name(): string {
    return this._extra?.name ?? `Task-${this._id}`;
  }

  set name(value: string) {
    checkString('name', value);
    this._more().name = value;
  }

  /**
   * The task's abort signal: aborted with a {@link CancelledError} when the task is cancelled.
   * Created on first use, so tasks whose body takes no argument never pay for one.
   */
  get signal(): AbortSignal {
    const extra = this._more();
    let c = extra.controller;
    if (c === null) {
      c = extra.controller = new AbortController();
      if (extra.cancelRequests > 0) c.abort(new CancelledError(extra.cancelMessage));
    }
    return c.signal;
  }

  /**
   * Requests cancellation: returns false if the task is done, otherwise counts the request,
   * aborts `task.signal` (the first time) with a {@link CancelledError}(`message`) and returns
   * true. A task cancelled before its body starts is cancelled without running it.
   *
   * @example
   * ```ts
   * const t = createTask((signal) => sleep(60_000, undefined, { signal }));
   * t.cancel('shutting down'); // true
   * ```
   */
  override cancel(message?: string): boolean {
    if (this._state !== STATE.PENDING) return false;
    const extra = this._more();
    if (++extra.cancelRequests === 1) extra.cancelMessage = message;
    const c = extra.controller;
    if (c !== null && !c.signal.aborted) c.abort(new CancelledError(message));
    return true;
  }

  /**
   * The number of cancellation requests not withdrawn by {@link uncancel}.
   *
   * @example
   * ```ts
   * task.cancel(); task.cancel(); task.cancelling(); // 2
   * ```
   */
  cancelling(): number {
    return this._extra?.cancelRequests ?? 0;
  }

  /**
   * Withdraws one cancellation request; returns how many remain. A task whose requests all were
   * withdrawn before it started runs normally. (A signal, once aborted, stays aborted:
   * JavaScript signals cannot be un-aborted.)
   *
   * @example
   * ```ts
   * task.cancel(); task.uncancel(); // 0
   * ```
   */
  uncancel(): number {
    const extra = this._extra;
    if (extra === null) return 0;
    if (extra.cancelRequests > 0) extra.cancelRequests--;
    return extra.cancelRequests;
  }

  /** Tasks are completed by their body: throws {@link InvalidStateError}, as in Python. */
  override setResult(_value: T): never {
    throw new InvalidStateError('A Task does not support setResult(): its body sets the result.');
  }

  /** Tasks are completed by their body: throws {@link InvalidStateError}, as in Python. */
  override setException(_error: unknown): never {
    throw new InvalidStateError('A Task does not support setException(): its body sets it.');
  }

  /** True for tasks of any copy of tsio. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[TASK_BRAND] === true
    );
  }

  override toString(): string {
    return `<Task ${this.name} ${this._stateName()}>`;
  }

  override get [Symbol.toStringTag](): string {
    return 'Task';
  }

  /** @internal Runs the first step of the body. */
  _start(): void {
    if (this._state !== STATE.PENDING) return;
    const body = this._value as TaskBody<T>;
    this._value = undefined;
    const extra = this._extra;
    if (extra !== null) {
      const c = extra.controller;
      if (extra.cancelRequests > 0 || (c !== null && c.signal.aborted)) {
        this._settle(STATE.CANCELLED, c?.signal.reason ?? new CancelledError(extra.cancelMessage));
        return;
      }
    }
    let result: T | PromiseLike<T>;
    try {
      result = body.length === 0 ? (body as () => T | PromiseLike<T>)() : body(this.signal);
    } catch (error) {
      this._fail(error);
      return;
    }
    if (result instanceof Promise) {
      // Bound methods: two bound functions take less memory than two arrow closures and their
      // context, which counts over a million tasks.
      result.then(this._finish.bind(this), this._fail.bind(this));
    } else if (isThenable(result)) {
      try {
        result.then(
          (value) => this._finish(value),
          (error: unknown) => this._fail(error),
        );
      } catch (error) {
        this._fail(error);
      }
    } else {
      this._finish(result);
    }
  }

  /** @internal */
  _finish(value: T): void {
    if (this._state === STATE.PENDING) this._settle(STATE.FULFILLED, value);
  }

  /** @internal */
  _fail(error: unknown): void {
    if (this._state !== STATE.PENDING) return;
    const signal = this._extra?.controller?.signal;
    if (
      isCancelledError(error) ||
      (signal !== undefined && signal.aborted && error === signal.reason)
    ) {
      this._settle(STATE.CANCELLED, error);
    } else if (
      signal !== undefined &&
      signal.aborted &&
      (error as { name?: unknown } | null)?.name === 'AbortError'
    ) {
      this._settle(STATE.CANCELLED, signal.reason);
    } else {
      this._settle(STATE.REJECTED, error);
    }
  }
}

Object.defineProperty(Task.prototype, TASK_BRAND, { value: true });

/**
 * Schedules `body` to run as a {@link Task} and returns the task at once: Python's
 * `asyncio.create_task`. The body starts on a later microtask and receives the task's signal.
 *
 * @example
 * ```ts
 * const t1 = createTask(() => realAsync(1));
 * const t2 = createTask(() => realAsync(2), { name: 'second' });
 * await t1; await t2;
 * ```
 */
export function createTask<T>(body: TaskBody<T>, options?: TaskOptions): Task<T> {
  checkFunction('body', body);
  let name: string | undefined;
  if (options !== undefined) {
    checkOptions('options', options);
    checkString('options.name', options.name);
    name = options.name;
  }
  const task = new Task<T>(body, name);
  startQueue.push(task);
  if (!startScheduled) {
    startScheduled = true;
    queueMicrotask(startBatch);
  }
  return task;
}
