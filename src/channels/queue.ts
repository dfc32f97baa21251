/**
 * `SharedQueue`: Python's `multiprocessing.Queue` with asyncio's `Queue` API, for many producers
 * and consumers across the main thread, worker threads and (through the parent) child processes.
 */

import {
  BrokenChannelError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
} from '../errors.js';
import {
  kServe,
  kShare,
  kThreadDied,
  kWorkerDied,
  trackShareable,
  type ShareHub,
  type WorkerDeath,
} from '../internal/share.js';
import { signalOf } from '../internal/signal.js';
import {
  checkInteger,
  checkKnownKeys,
  checkOptions,
  checkTimeout,
  rangeError,
  typeError,
} from '../internal/validate.js';
import type { SignalOptions } from '../options.js';
import { copyOf, decodeBytes, encode } from './codec.js';
import { checkBlockingAllowed, Endpoint, type EndRules } from './endpoint.js';
import { notInProcess, pipelined, postAfter, request, throwPending } from './proxy.js';
import { BROKEN, PUT_FULL, PUT_OK, Ring, SHUTDOWN, frameSize } from './ring.js';

/** Options of {@link SharedQueue}. */
export interface SharedQueueOptions {
  /**
   * Bytes of shared memory for queued messages (each takes its encoded size plus 4, rounded up to
   * 8). A message larger than this can never be put (RangeError). Memory is reserved up front but
   * the operating system provides pages only as they are used.
   * @default 1048576 (1 MiB)
   */
  readonly bufferSize?: number | undefined;
}

/** Options of the blocking forms. */
export interface BlockingOptions {
  /** Milliseconds to wait before a `TimeoutError`. @default Infinity */
  readonly timeout?: number | undefined;
}

/** Options of {@link SharedQueue.shutdown}. */
export interface SharedQueueShutdownOptions {
  /** Drop the items still queued. @default false */
  readonly immediate?: boolean | undefined;
}

export const DEFAULT_BUFFER = 1 << 20;

const RULES: EndRules = {
  refuse: SHUTDOWN | BROKEN,
  putError: (state) =>
    state & BROKEN
      ? new BrokenChannelError(
          'The SharedQueue is broken: a worker that held it crashed or was terminated, maybe in ' +
            'the middle of an operation.',
        )
      : new QueueShutDownError('The SharedQueue is shut down.'),
  endError: (state) =>
    state & SHUTDOWN ? new QueueShutDownError('The SharedQueue is shut down and empty.') : null,
  tooBig: (length, capacity) =>
    new RangeError(
      `The message takes ${length} bytes, more than this SharedQueue's buffer of ${capacity} ` +
        'bytes can ever hold; create the queue with a larger { bufferSize }.',
    ),
};

/** What a SharedQueue becomes in a task: its ring (threads) or its id in the parent (processes). */
export interface QueueDescriptor {
  readonly k: 'queue';
  readonly sab?: SharedArrayBuffer;
  readonly id?: number;
  readonly maxsize: number;
  /** The buffer's bytes (a child checks a message's size itself). */
  readonly cap?: number;
}

export function checkBufferSize(value: unknown): number {
  if (value === undefined) return DEFAULT_BUFFER;
  checkInteger('options.bufferSize', value, 64, 2 ** 31 - 64);
  return value;
}

/**
 * A FIFO queue in shared memory that the main thread, worker threads and child processes can all
 * put into and get from: Python's `multiprocessing.Queue`, with the API of tsio's (asyncio's)
 * `Queue`. Each item goes to exactly one consumer; the items of one producer arrive in the order
 * it put them. Items are copied (structured-clone data: no functions or sockets).
 *
 * Pass it to a pool task as a direct argument: a thread gets the same shared memory, a child
 * process a proxy that runs each operation in the parent (so the synchronous calls `putNowait`,
 * `getNowait`, `qsize`, `empty`, `full` and the blocking forms are not available there).
 * If a worker holding the queue crashes, the queue breaks: every waiting and later call fails with
 * {@link BrokenChannelError} rather than hang.
 *
 * @example
 * ```ts
 * import { SharedQueue } from 'tsio/channels';
 * import { ThreadPoolExecutor } from 'tsio/executors';
 *
 * const q = new SharedQueue<number>(100);
 * await using pool = new ThreadPoolExecutor();
 * const producer = pool.submit(async (q: SharedQueue<number>) => {
 *   for (let i = 0; i < 1000; i++) await q.put(i);
 *   q.shutdown();
 * }, q);
 * let sum = 0;
 * for await (const x of q) sum += x;
 * await producer;
 * ```
 */
export class SharedQueue<T = unknown> {
  /** Makes a SharedQueue nested in a message fail to clone (instead of arriving as a dead copy). */
  protected readonly __tsio = Symbol('tsio.SharedQueue');
  readonly #end: Endpoint | null;
  readonly #id: number;
  readonly #maxsize: number;
  /** A proxy (child process) whose shutdown() was called here, or whose get saw it shut down. */
  #shutDown = false;
  /** A proxy's buffer size. */
  readonly #cap: number = 0;

  /**
   * @param maxsize At most this many items are queued (`put` waits, `putNowait` throws); 0 or
   *   less: no limit but the buffer's bytes. Python's `maxsize`.
   */
  constructor(maxsize = 0, options?: SharedQueueOptions) {
    const desc = attaching;
    if (desc !== null) {
      attaching = null;
      this.#maxsize = desc.maxsize;
      this.#id = desc.id ?? 0;
      this.#cap = desc.cap ?? 0;
      this.#end = desc.sab !== undefined ? new Endpoint(new Ring(desc.sab), RULES) : null;
      return;
    }
    if (typeof maxsize !== 'number') throw typeError('maxsize', 'a number', maxsize);
    if (!Number.isInteger(maxsize) && maxsize !== Infinity) {
      throw rangeError('maxsize', 'an integer (0 or less: no limit)', maxsize);
    }
    checkOptions('options', options);
    if (options !== undefined) checkKnownKeys('options', options, ['bufferSize']);
    const bytes = checkBufferSize(options?.bufferSize);
    this.#maxsize = maxsize > 0 && maxsize !== Infinity ? Math.min(maxsize, 2 ** 31 - 1) : 0;
    this.#id = 0;
    this.#end = new Endpoint(Ring.create(bytes, this.#maxsize), RULES);
    trackShareable(this);
  }

  /** The maximum number of items (0: no limit but the buffer). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** Bytes of shared memory for messages (undefined in a child process). */
  get bufferSize(): number | undefined {
    return this.#end?.ring.capacity;
  }

  #local(what: string, instead: string): Endpoint {
    if (this.#end === null) throw notInProcess(`SharedQueue.${what}`, instead);
    return this.#end;
  }

  /**
   * The number of items queued (a snapshot: other threads may change it at once). Python's
   * `qsize()`.
   *
   * @example
   * ```ts
   * q.putNowait(1); q.qsize(); // 1
   * ```
   */
  qsize(): number {
    return this.#local('qsize()', 'Count items in the parent.').ring.count();
  }

  /**
   * True when no item is queued (a snapshot).
   *
   * @example
   * ```ts
   * new SharedQueue().empty(); // true
   * ```
   */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /**
   * True when `maxsize` items are queued (a snapshot).
   *
   * @example
   * ```ts
   * const q = new SharedQueue(1); q.putNowait(1); q.full(); // true
   * ```
   */
  full(): boolean {
    const end = this.#local('full()', 'Use await put(), which waits for room.');
    return this.#maxsize > 0 && end.ring.count() >= this.#maxsize;
  }

  /**
   * Puts an item, waiting while the queue is full (`maxsize` items, or no room left in the buffer).
   * Rejects with {@link QueueShutDownError} after `shutdown()`, with a TypeError for a value that
   * cannot be copied to another thread (a function, a socket), with `signal.reason` on abort (the
   * item is then not put).
   *
   * @example
   * ```ts
   * await q.put({ id: 1, text: 'hello' }, { signal: AbortSignal.timeout(1000) });
   * ```
   */
  put(item: T, options?: SignalOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const end = this.#end;
    if (end === null) {
      try {
        throwPending(this.#id);
        if (this.#shutDown) throw RULES.putError(SHUTDOWN);
        // Encoded here, as in a thread: the same errors at once, and the parent copies bytes.
        const { bytes, length } = encode(item, 'SharedQueue.put');
        if (frameSize(length) > this.#cap) throw RULES.tooBig(length, this.#cap);
        const args = [copyOf(bytes, length)];
        // With a signal the put must stay abortable until it is in: one round trip. Without
        // one, puts are pipelined (the parent runs them in order; backpressure still applies).
        return signal !== undefined
          ? (request(this.#id, 'putb', args, 'SharedQueue.put', signal) as Promise<void>)
          : pipelined(this.#id, 'putb', args, 'SharedQueue.put');
      } catch (error) {
        return Promise.reject(error);
      }
    }
    let enc: { bytes: Buffer; length: number };
    try {
      enc = encode(item, 'SharedQueue.put');
    } catch (error) {
      return Promise.reject(error);
    }
    return end.put(enc.bytes, enc.length, signal);
  }

  /**
   * Puts an item now or throws {@link QueueFullError} (full), {@link QueueShutDownError}, or a
   * TypeError for a value that cannot be copied. Not available in a child process.
   *
   * @example
   * ```ts
   * try { q.putNowait(x); } catch (e) { if (e instanceof QueueFullError) dropped++; }
   * ```
   */
  putNowait(item: T): void {
    const end = this.#local('putNowait()', 'Use await put().');
    const { bytes, length } = encode(item, 'SharedQueue.putNowait');
    if (frameSize(length) > end.ring.capacity) throw RULES.tooBig(length, end.ring.capacity);
    if (end.pendingPuts > 0) throw new QueueFullError('The SharedQueue is full.');
    const r = end.ring.tryPut(bytes, length, RULES.refuse);
    if (r === PUT_OK) return;
    if (r === PUT_FULL) {
      throw new QueueFullError(
        end.ring.count() >= this.#maxsize && this.#maxsize > 0
          ? `The SharedQueue is full (${this.#maxsize} items).`
          : `The SharedQueue's buffer is full (${end.ring.free()} of ${end.ring.capacity} bytes ` +
              `free, the item needs ${frameSize(length)}).`,
      );
    }
    throw RULES.putError(end.ring.state());
  }

  /**
   * Removes and returns the oldest item, waiting until there is one. Rejects with
   * {@link QueueShutDownError} once the queue is shut down and empty, with
   * {@link BrokenChannelError} if it broke, with `signal.reason` on abort (no item is taken).
   *
   * @example
   * ```ts
   * const job = await q.get({ signal });
   * ```
   */
  get(options?: SignalOptions): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#end === null) {
      return request(this.#id, 'getb', [], 'SharedQueue.get', signal).then(
        decodeBytes<T>,
        (error: unknown) => {
          if (error instanceof QueueShutDownError) this.#shutDown = true;
          throw error;
        },
      );
    }
    return this.#end.get(signal) as Promise<T>;
  }

  /**
   * Removes and returns the oldest item now, or throws {@link QueueEmptyError} (or
   * {@link QueueShutDownError} when shut down and empty). Not available in a child process.
   *
   * @example
   * ```ts
   * while (!q.empty()) handle(q.getNowait());
   * ```
   */
  getNowait(): T {
    const end = this.#local('getNowait()', 'Use await get().');
    const now = end.tryGetNow() ?? end.tryGetNow();
    if (now !== null) return now[0] as T;
    const error = end.endError();
    if (error !== null) {
      const last = end.tryGetNow();
      if (last !== null) return last[0] as T;
      throw error;
    }
    throw new QueueEmptyError('The SharedQueue is empty.');
  }

  /**
   * Blocking `put` for worker threads (which have nothing else to do while they wait): returns
   * once the item is in, throws `TimeoutError` after `options.timeout` ms. Throws on the main
   * thread (it would freeze the event loop) and in child processes.
   *
   * @example
   * ```ts
   * // inside a ThreadPoolExecutor task
   * for (const row of rows) q.putSync(row);
   * ```
   */
  putSync(item: T, options?: BlockingOptions): void {
    const end = this.#local('putSync()', 'Use await put().');
    checkBlockingAllowed('SharedQueue.putSync()');
    const timeout = checkBlocking(options);
    const { bytes, length } = encode(item, 'SharedQueue.putSync');
    end.putSync(bytes, length, timeout);
  }

  /**
   * Blocking `get` for worker threads: returns the oldest item, waiting for one; throws
   * `TimeoutError` after `options.timeout` ms, {@link QueueShutDownError} once shut down and
   * empty. Throws on the main thread and in child processes.
   *
   * @example
   * ```ts
   * // inside a ThreadPoolExecutor task
   * const job = q.getSync({ timeout: 5000 });
   * ```
   */
  getSync(options?: BlockingOptions): T {
    const end = this.#local('getSync()', 'Use await get().');
    checkBlockingAllowed('SharedQueue.getSync()');
    return end.getSync(checkBlocking(options)) as T;
  }

  /**
   * Shuts the queue down, as Python 3.13's `Queue.shutdown`: puts fail with
   * {@link QueueShutDownError} from now on (in every thread and process), gets return what is
   * left and then fail with it, and `for await` loops end. `{ immediate: true }` drops the items
   * still queued.
   *
   * @example
   * ```ts
   * q.shutdown(); // consumers finish what is queued, then their loops end
   * ```
   */
  shutdown(options?: SharedQueueShutdownOptions): void {
    checkOptions('options', options);
    const immediate = options?.immediate ?? false;
    if (typeof immediate !== 'boolean') {
      throw typeError('options.immediate', 'a boolean', immediate);
    }
    if (this.#end === null) {
      // After this process's puts in flight have landed, as if they had been awaited one by one;
      // this process's later puts fail at once.
      this.#shutDown = true;
      postAfter(this.#id, 'shutdown', [immediate], 'SharedQueue.shutdown');
      return;
    }
    this.#end.ring.setState(SHUTDOWN, immediate);
  }

  /**
   * Shuts the queue down (as `shutdown()`): Python's `Queue.close()`, after which the queue's
   * consumers end cleanly once it is empty.
   *
   * @example
   * ```ts
   * q.close();
   * ```
   */
  close(): void {
    this.shutdown();
  }

  /** Shuts the queue down when a `using` scope ends. */
  [Symbol.dispose](): void {
    this.shutdown();
  }

  /**
   * Gets items until the queue is shut down and empty, then ends. Several consumers (in any
   * threads) may iterate one queue: each item goes to one of them.
   *
   * @example
   * ```ts
   * for await (const item of q) handle(item);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      try {
        yield await this.get();
      } catch (error) {
        if (error instanceof QueueShutDownError) return;
        throw error;
      }
    }
  }

  /**
   * Blocking iteration for worker threads: `getSync()` until the queue is shut down and empty.
   *
   * @example
   * ```ts
   * // inside a ThreadPoolExecutor task
   * for (const job of q) work(job);
   * ```
   */
  *[Symbol.iterator](): Generator<T, void, undefined> {
    for (;;) {
      try {
        yield this.getSync();
      } catch (error) {
        if (error instanceof QueueShutDownError) return;
        throw error;
      }
    }
  }

  get [Symbol.toStringTag](): string {
    return 'SharedQueue';
  }

  /** @internal */
  [kShare](target: 'thread' | 'process', hub: ShareHub | null): QueueDescriptor {
    if (this.#end === null) {
      throw new TypeError(
        'A SharedQueue received by a child process cannot be passed on to another pool from ' +
          'there: pass the original from the main thread.',
      );
    }
    if (target === 'thread') return { k: 'queue', sab: this.#end.ring.sab, maxsize: this.#maxsize };
    return {
      k: 'queue',
      id: hub!.register(this),
      maxsize: this.#maxsize,
      cap: this.#end.ring.capacity,
    };
  }

  /** @internal */
  [kWorkerDied](death: WorkerDeath): void {
    this.#end?.ring.breakFor(death.threadId + 1, BROKEN);
  }

  /** @internal */
  [kThreadDied](threadId: number): void {
    this.#end?.ring.threadDied(threadId);
  }

  /** @internal An operation a child process asked for. */
  [kServe](op: string, args: unknown[], signal: AbortSignal | undefined): unknown {
    switch (op) {
      case 'put':
        return this.put(args[0] as T, { signal });
      case 'putb': {
        const bytes = args[0] as Uint8Array;
        return this.#end!.put(bytes, bytes.length, signal);
      }
      case 'get':
        return this.get({ signal });
      case 'getb':
        // The bytes: the child decodes them itself.
        return this.#end!.get(signal, true);
      case 'shutdown':
        this.shutdown({ immediate: args[0] === true });
        return undefined;
      default:
        throw new Error(`tsio: unknown SharedQueue operation "${op}".`);
    }
  }
}

export function checkBlocking(options: BlockingOptions | undefined): number | undefined {
  checkOptions('options', options);
  if (options === undefined) return undefined;
  checkKnownKeys('options', options, ['timeout']);
  const timeout = options.timeout;
  checkTimeout('options.timeout', timeout);
  if (typeof timeout === 'number' && timeout < 0) {
    throw typeError('options.timeout', 'a number of milliseconds >= 0', timeout);
  }
  return timeout ?? undefined;
}

let attaching: QueueDescriptor | null = null;

/** Rebuilds a SharedQueue in a worker from its descriptor. */
export function attachQueue<T>(desc: QueueDescriptor): SharedQueue<T> {
  attaching = desc;
  try {
    return new SharedQueue<T>();
  } finally {
    attaching = null;
  }
}
