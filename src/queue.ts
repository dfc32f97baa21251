import {
  InvalidStateError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
} from './errors.js';
import { defaultCompare } from './internal/compare.js';
import { Deque } from './internal/deque.js';
import { Heap } from './internal/heap.js';
import { WaiterList } from './internal/waiters.js';
import { signalOf } from './internal/signal.js';
import { checkFunction, checkInteger, checkOptions, typeError } from './internal/validate.js';
import type { SignalOptions } from './options.js';

/** Options of {@link Queue.shutdown}. */
export interface QueueShutdownOptions {
  /**
   * Also drop the items still in the queue (counting each as done for `join()`), so that `get()`
   * fails at once instead of after the queue has been emptied. @default false
   */
  immediate?: boolean;
}

/** Where a queue keeps its items: the order they come out in is the kind of queue. */
interface Store<T> {
  readonly length: number;
  push(item: T): void;
  /** Removes and returns the next item; only called when `length > 0`. */
  take(): T;
  clear(): void;
}

class FifoStore<T> extends Deque<T> implements Store<T> {
  take(): T {
    return this.shift() as T;
  }
}

class LifoStore<T> implements Store<T> {
  #items: T[] = [];
  get length(): number {
    return this.#items.length;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  take(): T {
    return this.#items.pop() as T;
  }
  clear(): void {
    this.#items = [];
  }
}

class HeapStore<T> extends Heap<T> implements Store<T> {
  take(): T {
    return this.pop() as T;
  }
}

const DONE: Promise<void> = Promise.resolve();

let setStore: <T>(queue: Queue<T>, store: Store<T>) => void;

/**
 * A first-in, first-out queue for passing items between tasks: Python's `asyncio.Queue`.
 *
 * - `put(item)` waits while the queue is full (`maxsize > 0` items), `get()` waits while it is
 *   empty; `putNowait`/`getNowait` throw {@link QueueFullError}/{@link QueueEmptyError} instead.
 *   Waiting putters and getters are served in the order they came. An item put while a getter
 *   waits goes straight to it; a `get()` from a full queue lets the first waiting putter's item in.
 * - `taskDone()` and `join()` count work: each item put is unfinished until a `taskDone()` call
 *   for it; `join()` waits until no item is unfinished.
 * - `shutdown()` (Python 3.13): later `put`s fail with {@link QueueShutDownError}, and `get`s
 *   fail once the queue is empty; waiting putters and getters reject at once. With
 *   `{ immediate: true }` the remaining items are dropped too (and count as done for `join()`).
 * - `for await (const item of queue)` gets items until the queue is shut down and empty. It does
 *   not call `taskDone()`.
 *
 * Scoped form: `using queue = new Queue()` shuts the queue down when the scope ends
 * (`[Symbol.dispose]()` is `shutdown()`), which ends the consumers' `for await` loops once
 * they have taken what is left.
 *
 * Differences from Python: times are milliseconds, waits take `{ signal }`; a negative or
 * non-integer `maxsize` is a `RangeError` (Python treats a negative one as unbounded); too many
 * `taskDone()` calls throw {@link InvalidStateError} (Python: `ValueError`).
 *
 * @example
 * ```ts
 * const queue = new Queue<string>(100);
 * const worker = createTask(async () => {
 *   for await (const url of queue) await fetch(url);
 * });
 * for (const url of urls) await queue.put(url); // waits while 100 are queued
 * queue.shutdown();
 * await worker;
 * ```
 */
export class Queue<T> {
  // Invariants: getters wait only while the queue is empty, putters only while it is full.
  readonly #maxsize: number;
  #store: Store<T> = new FifoStore<T>();
  readonly #getters = new WaiterList<T>();
  /** Each putter's `data` is the item it wants to put. */
  readonly #putters = new WaiterList<void>();
  readonly #joiners = new WaiterList<void>();
  #unfinished = 0;
  #shutdown = false;

  /**
   * @param maxsize the most items the queue holds before `put` waits; `0` (the default) for no
   * limit. An integer >= 0, else `RangeError`/`TypeError` naming `maxsize`.
   */
  constructor(maxsize = 0) {
    checkInteger('maxsize', maxsize, 0);
    this.#maxsize = maxsize;
  }

  /**
   * The most items the queue holds (0: no limit).
   *
   * @example
   * ```ts
   * new Queue(10).maxsize; // 10
   * ```
   */
  get maxsize(): number {
    return this.#maxsize;
  }

  /**
   * The number of items in the queue.
   *
   * @example
   * ```ts
   * const q = new Queue<number>();
   * q.putNowait(1);
   * q.qsize(); // 1
   * ```
   */
  qsize(): number {
    return this.#store.length;
  }

  /**
   * True when the queue holds no item.
   *
   * @example
   * ```ts
   * new Queue().empty(); // true
   * ```
   */
  empty(): boolean {
    return this.#store.length === 0;
  }

  /**
   * True when the queue holds `maxsize` items (never for an unbounded queue).
   *
   * @example
   * ```ts
   * const q = new Queue<number>(1);
   * q.putNowait(1);
   * q.full(); // true
   * ```
   */
  full(): boolean {
    return this.#maxsize > 0 && this.#store.length >= this.#maxsize;
  }

  /**
   * Puts `item` in the queue, waiting while it is full. Rejects with {@link QueueShutDownError}
   * if the queue is shut down (also while waiting). Aborting `options.signal` while waiting
   * rejects with `signal.reason` and the item is not put; an already aborted signal rejects at
   * once.
   *
   * @example
   * ```ts
   * await queue.put(job, { signal });
   * ```
   */
  put(item: T, options?: SignalOptions): Promise<void> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#shutdown) return Promise.reject(shutDownError());
    if (!this.full()) {
      try {
        this.#add(item);
      } catch (error) {
        return Promise.reject(error);
      }
      return DONE;
    }
    return this.#putters.wait(signal, item);
  }

  /**
   * Puts `item` in the queue without waiting: throws {@link QueueFullError} if it is full and
   * {@link QueueShutDownError} if it is shut down.
   *
   * @example
   * ```ts
   * try {
   *   queue.putNowait(job);
   * } catch (e) {
   *   if (e instanceof QueueFullError) dropped++;
   * }
   * ```
   */
  putNowait(item: T): void {
    if (this.#shutdown) throw shutDownError();
    if (this.full()) throw new QueueFullError(`The queue is full (maxsize ${this.#maxsize}).`);
    this.#add(item);
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty. Rejects with
   * {@link QueueShutDownError} once the queue is shut down and empty (also while waiting).
   * Aborting `options.signal` while waiting rejects with `signal.reason` and no item is taken;
   * an already aborted signal rejects at once.
   *
   * @example
   * ```ts
   * const job = await queue.get({ signal });
   * try {
   *   await run(job);
   * } finally {
   *   queue.taskDone();
   * }
   * ```
   */
  get(options?: SignalOptions): Promise<T> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#store.length > 0) {
      try {
        return Promise.resolve(this.#take());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#shutdown) return Promise.reject(shutDownError());
    return this.#getters.wait(signal);
  }

  /**
   * Removes and returns the next item without waiting: throws {@link QueueEmptyError} if the
   * queue is empty, {@link QueueShutDownError} if it is also shut down.
   *
   * @example
   * ```ts
   * const batch: Job[] = [];
   * while (!queue.empty()) batch.push(queue.getNowait());
   * ```
   */
  getNowait(): T {
    if (this.#store.length > 0) return this.#take();
    if (this.#shutdown) throw shutDownError();
    throw new QueueEmptyError();
  }

  /**
   * Marks one item taken from the queue as processed, for `join()`. Throws
   * {@link InvalidStateError} when called more times than items were put (Python: `ValueError`).
   *
   * @example
   * ```ts
   * const job = await queue.get();
   * try {
   *   await run(job);
   * } finally {
   *   queue.taskDone();
   * }
   * ```
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new InvalidStateError(
        'taskDone() was called more times than there were items put in the queue.',
      );
    }
    if (--this.#unfinished === 0) this.#joiners.wakeAll(undefined);
  }

  /**
   * Waits until every item put in the queue has been processed (a `taskDone()` call for each,
   * or dropped by `shutdown({ immediate: true })`); resolves at once if none is unfinished.
   * Aborting `options.signal` rejects with `signal.reason`.
   *
   * @example
   * ```ts
   * for (const job of jobs) queue.putNowait(job);
   * await queue.join(); // every job has been processed
   * ```
   */
  join(options?: SignalOptions): Promise<void> {
    const signal = options === undefined ? undefined : signalOf(options);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#unfinished === 0) return DONE;
    return this.#joiners.wait(signal);
  }

  /**
   * Shuts the queue down, as Python 3.13's `Queue.shutdown`: `put`/`putNowait` fail with
   * {@link QueueShutDownError} from now on, and `get`/`getNowait` fail with it once the queue is
   * empty. Waiting putters and getters reject with it at once (their items are not put). With
   * `{ immediate: true }` the items still queued are dropped and each counts as done, so `join()`
   * resolves once the items already taken are done. Calling it again is allowed (for instance
   * to drop the items with `immediate`).
   *
   * @example
   * ```ts
   * queue.shutdown(); // consumers finish what is queued, then their loops end
   * queue.shutdown({ immediate: true }); // drop what is left
   * ```
   */
  shutdown(options: QueueShutdownOptions = {}): void {
    checkOptions('options', options);
    const immediate = options.immediate ?? false;
    if (typeof immediate !== 'boolean')
      throw typeError('options.immediate', 'a boolean', immediate);
    this.#shutdown = true;
    if (immediate) {
      const dropped = this.#store.length;
      this.#store.clear();
      this.#unfinished = Math.max(0, this.#unfinished - dropped);
      if (this.#unfinished === 0) this.#joiners.wakeAll(undefined);
    }
    const getters = this.#getters;
    for (let w = getters.shift(); w !== null; w = getters.shift()) w.reject(shutDownError());
    const putters = this.#putters;
    for (let w = putters.shift(); w !== null; w = putters.shift()) w.reject(shutDownError());
  }

  /** Shuts the queue down (as `shutdown()`, not immediate) when a `using` scope ends. */
  [Symbol.dispose](): void {
    this.shutdown();
  }

  /**
   * Gets items (with `get()`) until the queue is shut down and empty; does not call
   * `taskDone()`. Several consumers may iterate the same queue: each item goes to one of them.
   *
   * @example
   * ```ts
   * for await (const line of queue) console.log(line);
   * // here the queue has been shut down and emptied
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const next = (): Promise<IteratorResult<T>> => this.get().then(yieldItem<T>, endOnShutDown<T>);
    return {
      next,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  get [Symbol.toStringTag](): string {
    return 'Queue';
  }

  /** Adds an item that was allowed in (the queue is not full and not shut down). */
  #add(item: T): void {
    const getter = this.#getters.shift();
    if (getter !== null) {
      this.#unfinished++;
      getter.resolve(item);
      return;
    }
    this.#store.push(item); // May throw (a PriorityQueue's compare): then nothing changed.
    this.#unfinished++;
  }

  /** Takes the next item (the queue is not empty) and lets the first waiting putter's item in. */
  #take(): T {
    const item = this.#store.take();
    const putters = this.#putters;
    for (let w = putters.shift(); w !== null; w = putters.shift()) {
      try {
        this.#store.push(w.data as T);
      } catch (error) {
        w.reject(error); // Its item cannot be ordered: that put fails, try the next one.
        continue;
      }
      this.#unfinished++;
      w.resolve(undefined);
      break;
    }
    return item;
  }

  static {
    setStore = (queue, store) => {
      queue.#store = store;
    };
  }
}

/**
 * A {@link Queue} that returns the smallest item first: Python's `asyncio.PriorityQueue`, on a
 * binary heap.
 *
 * The default order is Python's `<`: numbers (and bigints) numerically, strings by UTF-16 code
 * unit, booleans, Dates, and arrays element by element like Python tuples, so `[priority, item]`
 * entries work (the items are compared only when the priorities are equal). Values it cannot
 * order make `putNowait` throw (and `put` reject with) a `TypeError` naming them, as Python does,
 * and the queue is left unchanged. Pass `compare` (a function like `Array.prototype.sort`'s:
 * negative when `a` comes first) to order anything else. Items with equal priority come out in no
 * particular order (Python's heap is not stable either); add a sequence number
 * (`[priority, seq++, item]`) for first-in, first-out among equals.
 *
 * @example
 * ```ts
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, 'write']);
 * q.putNowait([1, 'read']);
 * q.getNowait(); // [1, 'read']
 *
 * const byDeadline = new PriorityQueue<Job>(0, (a, b) => a.deadline - b.deadline);
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  /**
   * @param maxsize as for {@link Queue}: the most items held, 0 for no limit. @default 0
   * @param compare the order: negative when `a` comes out before `b`. @default Python's `<`
   */
  constructor(maxsize = 0, compare?: (a: T, b: T) => number) {
    super(maxsize);
    if (compare !== undefined) checkFunction('compare', compare);
    setStore(this, new HeapStore<T>(compare ?? (defaultCompare as (a: T, b: T) => number)));
  }

  override get [Symbol.toStringTag](): string {
    return 'PriorityQueue';
  }
}

/**
 * A {@link Queue} that returns the most recently put item first (a stack): Python's
 * `asyncio.LifoQueue`.
 *
 * @example
 * ```ts
 * const q = new LifoQueue<number>();
 * q.putNowait(1);
 * q.putNowait(2);
 * q.getNowait(); // 2
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  /** @param maxsize as for {@link Queue}: the most items held, 0 for no limit. @default 0 */
  constructor(maxsize = 0) {
    super(maxsize);
    setStore(this, new LifoStore<T>());
  }

  override get [Symbol.toStringTag](): string {
    return 'LifoQueue';
  }
}

function shutDownError(): QueueShutDownError {
  return new QueueShutDownError('The queue is shut down.');
}

function yieldItem<T>(value: T): IteratorResult<T> {
  return { done: false, value };
}

function endOnShutDown<T>(error: unknown): IteratorResult<T> {
  if (error instanceof QueueShutDownError) return { done: true, value: undefined } as const;
  throw error;
}
