import { TimeoutError } from './errors.js';
import { STATE, isFuture } from './future.js';
import { clearTimer, setTimer, type TimerHandle } from './internal/clock.js';
import { Outcome, observe } from './internal/observe.js';
import {
  checkIterable,
  checkOptions,
  checkSignal,
  checkTimeout,
  isThenable,
  typeError,
} from './internal/validate.js';

/** Options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /**
   * Milliseconds from the call after which every remaining wait rejects with
   * {@link TimeoutError}. Nothing is cancelled. `null`/omitted: no limit.
   */
  timeout?: number | null | undefined;
  /** Aborting it rejects every remaining wait with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/**
 * What {@link asCompleted} returns: iterate it either way.
 * - `for (const p of it) { const r = await p; }`: promises of the results in completion order
 *   (the seed's form, Python's `for f in as_completed(fs): r = await f`).
 * - `for await (const aw of it)`: the original futures/tasks/promises in completion order
 *   (Python 3.13's `async for`).
 */
export interface AsCompleted<A> extends Iterable<Promise<Awaited<A>>>, AsyncIterable<A> {}

interface Entry<A> {
  aw: A;
  outcome: Outcome;
  value: unknown;
}

type Receiver<A> = { resolve: (entry: Entry<A> | null) => void; reject: (e: unknown) => void };

/**
 * Yields awaitables as they complete: Python's `asyncio.as_completed`. Inputs that are already
 * done come first; duplicates are yielded once; on timeout the pending iteration rejects with
 * {@link TimeoutError} and nothing is cancelled.
 *
 * @example
 * ```ts
 * for (const next of asCompleted([appleTask, googleTask])) {
 *   console.log(await next); // the first result to arrive, then the second
 * }
 * for await (const task of asCompleted(tasks, { timeout: 5000 })) {
 *   console.log(task.name, task.result());
 * }
 * ```
 */
export function asCompleted<A extends PromiseLike<unknown>>(
  aws: Iterable<A>,
  options?: AsCompletedOptions,
): AsCompleted<A> {
  checkIterable('aws', aws);
  checkOptions('options', options);
  const timeout = options?.timeout;
  checkTimeout('options.timeout', timeout);
  const signal = options?.signal;
  checkSignal('options.signal', signal);

  const todo = new Set<A>();
  let index = 0;
  for (const aw of aws) {
    if (!isThenable(aw)) throw typeError(`aws[${index}]`, 'a future, task or promise', aw);
    todo.add(aw);
    index++;
  }

  const total = todo.size;
  const ready: Entry<A>[] = [];
  let readHead = 0;
  const receivers: Receiver<A>[] = [];
  const detachers: (() => void)[] = [];
  let yielded = 0;
  let failure: { error: unknown } | null = null;
  let closed = false;
  let timer: TimerHandle | undefined;

  const cleanup = (): void => {
    closed = true;
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    signal?.removeEventListener('abort', onAbort);
    for (const detach of detachers) detach();
    detachers.length = 0;
  };

  const deliver = (entry: Entry<A>): void => {
    const r = receivers.shift();
    if (r) r.resolve(entry);
    else ready.push(entry);
  };

  const fail = (error: unknown): void => {
    if (closed) return;
    failure = { error };
    cleanup();
    for (const r of receivers.splice(0)) r.reject(error);
  };

  function onAbort(): void {
    fail(signal!.reason);
  }

  // Already-done futures first, in input order; then the rest as they settle.
  const rest: A[] = [];
  for (const aw of todo) {
    if (isFuture(aw) && aw._state !== STATE.PENDING) {
      ready.push({ aw, outcome: aw._state, value: aw._value });
    } else rest.push(aw);
  }
  let remaining = rest.length;
  if (signal?.aborted) {
    failure = { error: signal.reason };
    closed = true;
  } else if (remaining > 0) {
    for (const aw of rest) {
      detachers.push(
        observe(aw, (outcome, value) => {
          deliver({ aw, outcome, value });
          if (--remaining === 0) cleanup();
        }),
      );
    }
    if (timeout !== undefined && timeout !== null) {
      timer = setTimer(
        () => fail(new TimeoutError(`asCompleted timed out after ${timeout} ms`)),
        Math.max(0, timeout),
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  }

  /** The next completed entry, null when all have been yielded. */
  const nextEntry = (): Promise<Entry<A> | null> => {
    if (yielded >= total) return Promise.resolve(null);
    yielded++;
    if (readHead < ready.length) {
      const entry = ready[readHead]!;
      ready[readHead++] = undefined as never;
      return Promise.resolve(entry);
    }
    if (failure !== null) return Promise.reject(failure.error);
    return new Promise<Entry<A> | null>((resolve, reject) => receivers.push({ resolve, reject }));
  };

  const resultOf = (entry: Entry<A> | null): Awaited<A> => {
    if (entry!.outcome === Outcome.Fulfilled) return entry!.value as Awaited<A>;
    throw entry!.value;
  };

  const stop = (): void => {
    if (!closed) cleanup();
    yielded = total;
  };

  return {
    [Symbol.iterator](): Iterator<Promise<Awaited<A>>> {
      return {
        next: () =>
          yielded >= total
            ? { done: true, value: undefined }
            : { done: false, value: nextEntry().then(resultOf) },
        return: () => {
          stop();
          return { done: true, value: undefined };
        },
      };
    },
    [Symbol.asyncIterator](): AsyncIterator<A> {
      return {
        next: async (): Promise<IteratorResult<A>> => {
          const entry = await nextEntry();
          return entry === null
            ? { done: true, value: undefined }
            : { done: false, value: entry.aw };
        },
        return: (): Promise<IteratorResult<A>> => {
          stop();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
