import { CancelledError, InvalidStateError, TaskGroupError, isCancelledError } from './errors.js';
import { STATE } from './future.js';
import { checkFunction, checkOptions, checkSignal } from './internal/validate.js';
import { type Task, type TaskBody, type TaskOptions, createTask } from './task.js';
import { messageOf } from './gather.js';

/** Options of {@link TaskGroup}. */
export interface TaskGroupOptions {
  /** Cancels the group from outside: children are cancelled and the group rejects with the reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Structured concurrency: Python's `asyncio.TaskGroup`. Every child started with
 * `tg.createTask` is waited for before the group ends. The first child failure that is not a
 * cancellation cancels every other child and aborts `tg.signal` (the body's signal); when all
 * have finished, the group rejects with a {@link TaskGroupError} holding the errors in the order
 * they happened (cancellations excluded). Cancelled from outside (its `signal`), the group cancels
 * its children and rejects with the signal's reason.
 *
 * Two forms:
 * - `TaskGroup.run(async (tg) => ...)`: the body's error also cancels the children.
 * - `await using tg = new TaskGroup()`: leaving the block waits for the children. JavaScript does
 *   not tell a disposable about an error thrown in the block, so in this form such an error does
 *   not cancel the children; prefer `TaskGroup.run` when the block can throw.
 *
 * @example
 * ```ts
 * const results = await TaskGroup.run(async (tg) => {
 *   const a = tg.createTask((signal) => fetchStatus(apple, signal));
 *   const b = tg.createTask((signal) => fetchStatus(google, signal));
 *   return [a, b];
 * }); // both done here
 *
 * {
 *   await using tg = new TaskGroup();
 *   tg.createTask(() => sleep(10));
 * } // waits for the child
 * ```
 */
export class TaskGroup {
  readonly #controller = new AbortController();
  readonly #tasks = new Set<Task<unknown>>();
  readonly #errors: unknown[] = [];
  readonly #outer: AbortSignal | undefined;
  #exiting = false;
  #finished = false;
  #aborting = false;
  #allDone: (() => void) | null = null;

  constructor(options?: TaskGroupOptions) {
    checkOptions('options', options);
    checkSignal('options.signal', options?.signal);
    this.#outer = options?.signal;
    if (this.#outer !== undefined) {
      if (this.#outer.aborted) this.#abort(this.#outer.reason);
      else this.#outer.addEventListener('abort', this.#onOuterAbort, { once: true });
    }
  }

  /**
   * Runs `body` with a new group and waits for every child; resolves with the body's value.
   *
   * @example
   * ```ts
   * await TaskGroup.run(async (tg) => {
   *   for (const url of urls) tg.createTask((signal) => fetchStatus(url, signal));
   * });
   * ```
   */
  static run<T>(
    body: (tg: TaskGroup) => T | PromiseLike<T>,
    options?: TaskGroupOptions,
  ): Promise<T> {
    checkFunction('body', body);
    return new TaskGroup(options).#run(body);
  }

  async #run<T>(body: (tg: TaskGroup) => T | PromiseLike<T>): Promise<T> {
    let value: T;
    try {
      value = await body(this);
    } catch (error) {
      await this.#exit({ error });
      throw error; // not reached: #exit always throws when the body failed
    }
    await this.#exit(null);
    return value;
  }

  /** Aborts when the group starts cancelling (a child failed, or the group was cancelled). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Starts a child task in the group (its body gets the child's own signal).
   * Throws {@link InvalidStateError} if the group has finished or is shutting down.
   */
  createTask<T>(body: TaskBody<T>, options?: TaskOptions): Task<T> {
    if (this.#finished || (this.#exiting && this.#tasks.size === 0)) {
      throw new InvalidStateError('TaskGroup is finished: createTask() after the group ended.');
    }
    if (this.#aborting) {
      throw new InvalidStateError(
        'TaskGroup is shutting down: a child failed or it was cancelled.',
      );
    }
    const task = createTask(body, options);
    this.#tasks.add(task);
    task._listen(() => this.#onChildDone(task));
    return task;
  }

  /** Leaving an `await using` block: waits for the children, then throws like `run` would. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#exit(null);
  }

  #onOuterAbort = (): void => {
    this.#abort(this.#outer!.reason);
  };

  #abort(reason: unknown): void {
    if (this.#aborting) return;
    this.#aborting = true;
    this.#controller.abort(reason);
    const message = messageOf(reason);
    for (const t of this.#tasks) t.cancel(message);
  }

  #onChildDone(task: Task<unknown>): void {
    this.#tasks.delete(task);
    if (task._state === STATE.REJECTED) {
      this.#errors.push(task._value);
      if (!this.#aborting) {
        this.#abort(new CancelledError('A task of the TaskGroup failed', { cause: task._value }));
      }
    }
    if (this.#tasks.size === 0 && this.#allDone !== null) {
      const done = this.#allDone;
      this.#allDone = null;
      done();
    }
  }

  async #exit(bodyFailure: { error: unknown } | null): Promise<void> {
    if (this.#exiting) throw new InvalidStateError('TaskGroup has already been exited.');
    this.#exiting = true;
    let propagateCancel: { error: unknown } | null = null;
    if (bodyFailure !== null) {
      if (isCancelledError(bodyFailure.error)) propagateCancel = bodyFailure;
      this.#abort(
        propagateCancel !== null
          ? bodyFailure.error
          : new CancelledError('The body of the TaskGroup failed', { cause: bodyFailure.error }),
      );
    }
    while (this.#tasks.size > 0) {
      await new Promise<void>((resolve) => {
        this.#allDone = resolve;
      });
    }
    this.#finished = true;
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
    const outerCancelled = this.#outer?.aborted === true;
    if (bodyFailure !== null && propagateCancel === null) this.#errors.push(bodyFailure.error);
    if (this.#errors.length === 0) {
      if (outerCancelled) throw this.#outer.reason;
      if (propagateCancel !== null) throw propagateCancel.error;
      return;
    }
    throw new TaskGroupError(this.#errors);
  }
}
