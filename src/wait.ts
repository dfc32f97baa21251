import { type Future, isFuture } from './future.js';
import { clearTimer, setTimer, type TimerHandle } from './internal/clock.js';
import { Outcome, observe } from './internal/observe.js';
import {
  checkIterable,
  checkOptions,
  checkSignal,
  checkTimeout,
  isThenable,
  rangeError,
  typeError,
  valueError,
} from './internal/validate.js';

/**
 * {@link wait} returns as soon as any awaitable finishes or is cancelled.
 *
 * @example
 * ```ts
 * const { done, pending } = await wait(tasks, { returnWhen: FIRST_COMPLETED });
 * ```
 */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/**
 * {@link wait} returns when any awaitable fails (a cancellation is not a failure), or all end.
 *
 * @example
 * ```ts
 * const { done } = await wait(tasks, { returnWhen: FIRST_EXCEPTION });
 * for (const t of done) if (!t.cancelled() && t.exception()) console.error(t.exception());
 * ```
 */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/**
 * {@link wait} returns when every awaitable has finished (the default).
 *
 * @example
 * ```ts
 * const { done, pending } = await wait(tasks, { returnWhen: ALL_COMPLETED, timeout: 10_000 });
 * ```
 */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When {@link wait} returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of {@link wait}. */
export interface WaitOptions {
  /** Milliseconds to wait at most; `null`/omitted waits without limit. Cancels nothing. */
  timeout?: number | null | undefined;
  /** @default ALL_COMPLETED */
  returnWhen?: ReturnWhen | undefined;
  /** Aborting it rejects the wait with `signal.reason` (the awaitables are not cancelled). */
  signal?: AbortSignal | undefined;
}

/** What {@link wait} resolves with: the same objects that were passed in, split in two sets. */
export interface WaitResult<A> {
  done: Set<A>;
  pending: Set<A>;
}

/**
 * Waits for awaitables and splits them into `done` and `pending` sets holding the very objects
 * passed in: Python's `asyncio.wait`. On timeout it resolves (never rejects) and cancels nothing.
 *
 * @param aws a non-empty array or iterable of futures, tasks or promises (empty -> `RangeError`).
 * @example
 * ```ts
 * const tasks = [createTask(() => realAsync(1)), createTask(() => realAsync(2))];
 * const { done, pending } = await wait(tasks, { timeout: 1500 });
 * console.log(done.size, pending.size); // 1 1
 * ```
 */
export function wait<A extends PromiseLike<unknown>>(
  aws: Iterable<A>,
  options?: WaitOptions,
): Promise<WaitResult<A>> {
  checkIterable('aws', aws);
  checkOptions('options', options);
  const timeout = options?.timeout;
  checkTimeout('options.timeout', timeout);
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (
    returnWhen !== FIRST_COMPLETED &&
    returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw valueError(
      'options.returnWhen',
      'one of FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED',
      returnWhen,
    );
  }
  const signal = options?.signal;
  checkSignal('options.signal', signal);

  // Duplicates are waited for once (Python makes a set of its input).
  const unique = new Set<A>();
  let index = 0;
  for (const aw of aws) {
    if (!isThenable(aw)) throw typeError(`aws[${index}]`, 'a future, task or promise', aw);
    unique.add(aw);
    index++;
  }
  if (unique.size === 0) throw rangeError('aws', 'a non-empty set of awaitables', aws);
  if (signal?.aborted) return Promise.reject(signal.reason as Error);

  // Completion is recorded per index (no Set churn); the two sets are built once at the end.
  const children = [...unique];
  unique.clear();
  const n = children.length;
  const finishedAt = new Uint8Array(n);
  let finishedCount = 0;

  return new Promise<WaitResult<A>>((resolve, reject) => {
    let timer: TimerHandle | undefined;
    let over = false;

    const cleanup = (): void => {
      over = true;
      if (timer !== undefined) clearTimer(timer);
      signal?.removeEventListener('abort', onAbort);
      for (let i = 0; i < n; i++) {
        const child = children[i]!;
        if (finishedAt[i] === 0 && isFuture(child)) child._unlisten(onFuture, i);
      }
    };
    const finish = (): void => {
      cleanup();
      const done = new Set<A>();
      const pending = new Set<A>();
      for (let i = 0; i < n; i++) (finishedAt[i] === 1 ? done : pending).add(children[i]!);
      resolve({ done, pending });
    };
    function onAbort(): void {
      if (over) return;
      cleanup();
      reject(signal!.reason);
    }
    const onDone = (i: number, outcome: Outcome): void => {
      if (over) return;
      finishedAt[i] = 1;
      finishedCount++;
      if (
        finishedCount === n ||
        returnWhen === FIRST_COMPLETED ||
        (returnWhen === FIRST_EXCEPTION && outcome === Outcome.Rejected)
      ) {
        finish();
      }
    };
    function onFuture(f: Future<unknown>, i: unknown): void {
      onDone(i as number, f._state as Outcome);
    }

    for (let i = 0; i < n && !over; i++) {
      const child = children[i]!;
      if (isFuture(child)) child._listen(onFuture, i);
      else observe(child, (outcome) => onDone(i, outcome));
    }
    if (over) return;
    if (timeout !== undefined && timeout !== null) timer = setTimer(finish, Math.max(0, timeout));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
