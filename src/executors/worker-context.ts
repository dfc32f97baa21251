/**
 * What code running inside a pool worker can ask about its task. Shared through a global symbol,
 * so it works whichever copy of tsio the task's module imports.
 */

const CURRENT: unique symbol = Symbol.for('tsio.worker.currentTask') as never;

/** The task a worker is running right now (a worker runs one task at a time). */
export class TaskContext {
  #controller: AbortController | null = null;
  #reason: unknown = undefined;
  #aborted = false;
  constructor(readonly id: number) {}

  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

type Holder = { [CURRENT]?: TaskContext | null };

/** Worker side: sets the running task (null between tasks). */
export function setCurrentTask(context: TaskContext | null): void {
  (globalThis as Holder)[CURRENT] = context;
}

/**
 * Inside a task running in a pool worker: the task's `AbortSignal`. It is aborted when the
 * submitter's `signal` aborts (reason: a `CancelledError`) or the task's `timeout` passes (a
 * `TimeoutError`). Stop work when it fires; a task that ignores it is stopped by terminating its
 * worker after the pool's `gracePeriod`. Self-contained (source-shipped) functions, which cannot
 * import it, read the same signal as `this.signal` when declared with `function`.
 *
 * @example
 * ```ts
 * export const crawl = defineTask(import.meta.url, 'crawl', async (url: string) => {
 *   const res = await fetch(url, { signal: taskSignal() });
 *   return res.status;
 * });
 * ```
 */
export function taskSignal(): AbortSignal {
  const current = (globalThis as Holder)[CURRENT];
  if (current == null) {
    throw new TypeError('taskSignal() was called outside a task running in a tsio pool worker.');
  }
  return current.signal;
}
