/**
 * Shared memory for worker threads: `SharedLock` (an Atomics-based lock that works across
 * threads), `SharedValue` (Python's `multiprocessing.Value`) and `SharedArray` (`Array`).
 * SharedArrayBuffers exist only inside one process, so none of these can go to a child process:
 * passing one to a process-pool task throws, rather than silently sending a copy.
 */

import { threadId } from 'node:worker_threads';
import { BrokenChannelError, InvalidStateError } from '../errors.js';
import {
  kShare,
  kThreadDied,
  kWorkerDied,
  trackShareable,
  type WorkerDeath,
} from '../internal/share.js';
import { signalOf } from '../internal/signal.js';
import { checkFunction, rangeError, typeError, valueError } from '../internal/validate.js';
import type { SignalOptions } from '../options.js';
import { checkBlockingAllowed, flushOutboxes } from './endpoint.js';
import { checkBlocking, type BlockingOptions } from './queue.js';
import { hold, unhold } from './keep-alive.js';
import { waitAsync } from './ring.js';

const OWNER = 0;
const FLAGS = 1;
const WAITERS = 2;
const F_BROKEN = 1;
/** Bytes a lock takes at the start of a SharedValue's or SharedArray's buffer. */
const LOCK_BYTES = 16;
const ME = threadId + 1;

function processError(what: string): TypeError {
  return new TypeError(
    `A ${what} lives in shared memory (a SharedArrayBuffer), which exists only inside one ` +
      'process: it cannot be passed to a ProcessPoolExecutor task, and tsio will not silently ' +
      'send a copy. Use a ThreadPoolExecutor, or send values through a SharedQueue or a Pipe, ' +
      'which do reach child processes.',
  );
}

let attachingLock: { sab: SharedArrayBuffer; offset: number } | null = null;

/**
 * A lock in shared memory that the main thread and worker threads can all take: Python's
 * `multiprocessing.Lock`, with the API of tsio's `Lock`. Waiting is `Atomics.waitAsync` (awaitable
 * form) or `Atomics.wait` (the blocking form, for worker threads). Not FIFO, as Python's. If the
 * worker holding it crashes, the lock breaks: waiters and later `acquire`s fail with
 * {@link BrokenChannelError} instead of waiting forever. Threads only (see the module note).
 *
 * @example
 * ```ts
 * const lock = new SharedLock();
 * const total = new SharedArray('float64', 1);
 * await pool.submit((lock: SharedLock, total: SharedArray<'float64'>) => {
 *   lock.acquireSync();
 *   try { total.array[0] += 1.5; } finally { lock.release(); }
 * }, lock, total);
 * ```
 */
export class SharedLock {
  /** Makes a SharedLock nested in a message fail to clone. */
  protected readonly __tsio = Symbol('tsio.SharedLock');
  readonly #sab: SharedArrayBuffer;
  readonly #offset: number;
  readonly #i32: Int32Array;

  constructor() {
    const a = attachingLock;
    attachingLock = null;
    this.#sab = a?.sab ?? new SharedArrayBuffer(LOCK_BYTES);
    this.#offset = a?.offset ?? 0;
    this.#i32 = new Int32Array(this.#sab, this.#offset, LOCK_BYTES / 4);
    if (a === null) trackShareable(this);
  }

  #broken(): BrokenChannelError {
    return new BrokenChannelError(
      'The SharedLock is broken: the worker that held it crashed or was terminated, so what it ' +
        'protects may be half-updated.',
    );
  }

  /**
   * Takes the lock if it is free: true if taken, false if another holder has it. Python's
   * `acquire(block=False)`.
   *
   * @example
   * ```ts
   * if (lock.tryAcquire()) { try { update(); } finally { lock.release(); } }
   * ```
   */
  tryAcquire(): boolean {
    const i32 = this.#i32;
    if (Atomics.load(i32, FLAGS) & F_BROKEN) throw this.#broken();
    return Atomics.compareExchange(i32, OWNER, 0, ME) === 0;
  }

  /**
   * Waits until the lock is free and takes it; resolves to the lock (so that
   * `using _ = await lock.acquire()` releases it at the end of the block). Rejects with
   * `signal.reason` on abort (without the lock), with {@link BrokenChannelError} if it broke.
   *
   * @example
   * ```ts
   * using _ = await lock.acquire();
   * counter.array[0]++;
   * ```
   */
  async acquire(options?: SignalOptions): Promise<this> {
    const signal = signalOf(options);
    const i32 = this.#i32;
    for (;;) {
      signal?.throwIfAborted();
      if (this.tryAcquire()) return this;
      const cur = Atomics.load(i32, OWNER);
      if (cur === 0) continue;
      Atomics.add(i32, WAITERS, 1);
      const r = waitAsync(i32, OWNER, cur);
      if (!r.async) {
        Atomics.sub(i32, WAITERS, 1);
        continue;
      }
      hold();
      const woken = r.value.then(() => {
        Atomics.sub(i32, WAITERS, 1);
        unhold();
      });
      if (signal === undefined) {
        await woken;
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          reject(signal.reason);
          // Wake every waiter (this one too), so that none sleeps on a wake-up meant for it.
          Atomics.notify(i32, OWNER);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        void woken.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  /**
   * Blocking `acquire` for worker threads: true once taken, false after `options.timeout` ms
   * (Python's `acquire(timeout=...)`). Throws on the main thread.
   *
   * @example
   * ```ts
   * // inside a ThreadPoolExecutor task
   * lock.acquireSync();
   * try { shared.array[0]++; } finally { lock.release(); }
   * ```
   */
  acquireSync(options?: BlockingOptions): boolean {
    checkBlockingAllowed('SharedLock.acquireSync()');
    const timeout = checkBlocking(options);
    const until = timeout === undefined ? Infinity : performance.now() + timeout;
    const i32 = this.#i32;
    for (;;) {
      if (this.tryAcquire()) return true;
      const cur = Atomics.load(i32, OWNER);
      if (cur === 0) continue;
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.add(i32, WAITERS, 1);
      Atomics.wait(i32, OWNER, cur, flushOutboxes() ? Math.min(left, 1) : left);
      Atomics.sub(i32, WAITERS, 1);
    }
  }

  /**
   * Releases the lock (any thread may, as with Python's `Lock`); throws
   * {@link InvalidStateError} if it is not locked.
   *
   * @example
   * ```ts
   * lock.release();
   * ```
   */
  release(): void {
    const i32 = this.#i32;
    if (Atomics.exchange(i32, OWNER, 0) === 0) {
      throw new InvalidStateError('Cannot release the SharedLock: it is not locked.');
    }
    if (Atomics.load(i32, WAITERS) > 0) Atomics.notify(i32, OWNER, 1);
  }

  /**
   * True while some thread holds the lock (a snapshot).
   *
   * @example
   * ```ts
   * lock.locked(); // false
   * ```
   */
  locked(): boolean {
    return Atomics.load(this.#i32, OWNER) !== 0;
  }

  /**
   * Takes the lock, runs `fn`, releases the lock when `fn` has settled, and resolves with its
   * value: `with lock:`.
   *
   * @example
   * ```ts
   * await lock.hold(() => { shared.array[0] += 1; });
   * ```
   */
  async hold<R>(fn: () => R | PromiseLike<R>, options?: SignalOptions): Promise<Awaited<R>> {
    checkFunction('fn', fn);
    await this.acquire(options);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Releases the lock, for `using _ = await lock.acquire()`. */
  [Symbol.dispose](): void {
    this.release();
  }

  get [Symbol.toStringTag](): string {
    return 'SharedLock';
  }

  /** @internal */
  [kShare](target: 'thread' | 'process'): unknown {
    if (target === 'process') throw processError('SharedLock');
    return { k: 'lock', sab: this.#sab, offset: this.#offset };
  }

  /** @internal */
  [kWorkerDied](death: WorkerDeath): void {
    this[kThreadDied](death.threadId);
  }

  /** @internal A thread that exited holding the lock broke it. */
  [kThreadDied](threadId: number): void {
    const i32 = this.#i32;
    if (threadId >= 0 && Atomics.load(i32, OWNER) === threadId + 1) {
      Atomics.or(i32, FLAGS, F_BROKEN);
      Atomics.notify(i32, OWNER);
    }
  }
}

/** Rebuilds a SharedLock over `sab` at `offset`. */
export function attachLock(sab: SharedArrayBuffer, offset: number): SharedLock {
  attachingLock = { sab, offset };
  try {
    return new SharedLock();
  } finally {
    attachingLock = null;
  }
}

/** The element types of {@link SharedArray}, as names. */
export interface SharedArrayTypes {
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  float32: Float32Array;
  float64: Float64Array;
  bigint64: BigInt64Array;
  biguint64: BigUint64Array;
}
export type SharedArrayType = keyof SharedArrayTypes;

const ARRAYS: {
  [K in SharedArrayType]: {
    new (b: SharedArrayBuffer, o: number, n: number): SharedArrayTypes[K];
    BYTES_PER_ELEMENT: number;
  };
} = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  bigint64: BigInt64Array,
  biguint64: BigUint64Array,
};

/** The integer range of each integer element type; absent for floats. */
const RANGES: Partial<Record<SharedArrayType, readonly [number | bigint, number | bigint]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  bigint64: [-(2n ** 63n), 2n ** 63n - 1n],
  biguint64: [0n, 2n ** 64n - 1n],
};

/**
 * A value for an element of `type`: a bigint for the 64-bit integer types, a number otherwise,
 * an integer in range for integer types (a typed array would silently wrap or truncate it).
 */
function checkElement(name: string, type: SharedArrayType, v: unknown): void {
  const big = type === 'bigint64' || type === 'biguint64';
  if (big ? typeof v !== 'bigint' : typeof v !== 'number') {
    throw typeError(name, big ? 'a bigint' : 'a number', v);
  }
  const range = RANGES[type];
  if (range === undefined) return;
  if ((!big && !Number.isInteger(v)) || (v as number) < range[0] || (v as number) > range[1]) {
    throw rangeError(name, `an integer from ${range[0]} to ${range[1]} (type '${type}')`, v);
  }
}

function checkType(name: string, type: unknown, allowed: readonly string[]): void {
  if (typeof type !== 'string' || !allowed.includes(type)) {
    throw valueError(name, `one of ${allowed.map((t) => `'${t}'`).join(', ')}`, type);
  }
}

let attachingArray: { sab: SharedArrayBuffer; length: number } | null = null;

/**
 * A typed array in shared memory that thread-pool tasks can all read and write, with a
 * {@link SharedLock}: Python's `multiprocessing.Array`. `array` is a plain typed array over the
 * shared buffer (so `Atomics.add(shared.array, i, 1)` works on integer types); guard compound
 * updates with `lock`. Threads only: passing it to a process-pool task throws.
 *
 * @example
 * ```ts
 * const hist = new SharedArray('int32', 10);
 * await gather(chunks.map((c) => pool.submit((h: SharedArray<'int32'>, c: number[]) => {
 *   for (const x of c) Atomics.add(h.array, x % 10, 1);
 * }, hist, c)));
 * console.log(hist.toArray());
 * ```
 */
export class SharedArray<K extends SharedArrayType = 'float64'> {
  /** Makes a SharedArray nested in a message fail to clone. */
  protected readonly __tsio = Symbol('tsio.SharedArray');
  readonly #type: K;
  readonly #sab: SharedArrayBuffer;
  /** The elements: a typed array over the shared buffer. */
  readonly array: SharedArrayTypes[K];
  /** A lock to guard compound updates (Python's `get_lock()`). */
  readonly lock: SharedLock;

  /**
   * @param type The element type, e.g. `'int32'` or `'float64'`.
   * @param lengthOrValues The number of elements (all zero), or the initial values.
   */
  constructor(type: K, lengthOrValues: number | Iterable<number | bigint>) {
    checkType('type', type, Object.keys(ARRAYS));
    const Ctor = ARRAYS[type];
    const a = attachingArray;
    attachingArray = null;
    let values: (number | bigint)[] | null = null;
    let length: number;
    if (a !== null) {
      length = a.length;
    } else if (typeof lengthOrValues === 'number') {
      if (!Number.isInteger(lengthOrValues) || lengthOrValues < 0) {
        throw typeError(
          'lengthOrValues',
          'a length (an integer >= 0) or an iterable',
          lengthOrValues,
        );
      }
      length = lengthOrValues;
    } else if (
      lengthOrValues !== null &&
      typeof (lengthOrValues as Partial<Iterable<unknown>>)?.[Symbol.iterator] === 'function'
    ) {
      values = Array.from(lengthOrValues);
      length = values.length;
      for (let i = 0; i < length; i++) checkElement(`lengthOrValues[${i}]`, type, values[i]);
    } else {
      throw typeError(
        'lengthOrValues',
        'a length (an integer >= 0) or an iterable',
        lengthOrValues,
      );
    }
    this.#type = type;
    this.#sab = a?.sab ?? new SharedArrayBuffer(LOCK_BYTES + length * Ctor.BYTES_PER_ELEMENT);
    this.array = new Ctor(this.#sab, LOCK_BYTES, length);
    this.lock = attachLock(this.#sab, 0);
    if (a === null) trackShareable(this);
    if (values !== null) {
      try {
        (this.array as unknown as { set(v: ArrayLike<unknown>): void }).set(values);
      } catch (error) {
        throw new TypeError(
          `SharedArray: the initial values do not fit type '${type}': ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }

  /** The element type. */
  get type(): K {
    return this.#type;
  }

  /** The number of elements. */
  get length(): number {
    return this.array.length;
  }

  /**
   * A plain (unshared) copy of the elements.
   *
   * @example
   * ```ts
   * console.log(shared.toArray());
   * ```
   */
  toArray(): (K extends 'bigint64' | 'biguint64' ? bigint : number)[] {
    return Array.from(this.array as unknown as ArrayLike<never>);
  }

  get [Symbol.toStringTag](): string {
    return 'SharedArray';
  }

  /** @internal */
  [kShare](target: 'thread' | 'process'): unknown {
    if (target === 'process') throw processError('SharedArray');
    return { k: 'array', sab: this.#sab, type: this.#type, length: this.array.length };
  }

  /** @internal */
  [kWorkerDied](death: WorkerDeath): void {
    this.lock[kWorkerDied](death);
  }

  /** @internal */
  [kThreadDied](threadId: number): void {
    this.lock[kThreadDied](threadId);
  }
}

/** Rebuilds a SharedArray in a worker. */
export function attachArray(
  sab: SharedArrayBuffer,
  type: SharedArrayType,
  length: number,
): SharedArray<SharedArrayType> {
  attachingArray = { sab, length };
  try {
    return new SharedArray(type, length);
  } finally {
    attachingArray = null;
  }
}

/** The types of {@link SharedValue}. */
export type SharedValueType = 'int32' | 'float64' | 'bigint64';
type ValueOf<K extends SharedValueType> = K extends 'bigint64' ? bigint : number;

let attachingValue: SharedArrayBuffer | null = null;

/**
 * One number in shared memory, with atomic updates: Python's `multiprocessing.Value`. `add`,
 * `sub` and `compareExchange` are atomic across threads (a CAS loop for `float64`); `value` reads
 * and writes it; `lock` guards compound updates (Python's `get_lock()`). `int32` wraps around on
 * overflow, as a C int. Threads only: passing it to a process-pool task throws.
 *
 * @example
 * ```ts
 * const done = new SharedValue('int32');
 * await gather(jobs.map((j) => pool.submit((done: SharedValue, j: number) => {
 *   work(j);
 *   done.add(1);
 * }, done, j)));
 * console.log(done.value); // jobs.length
 * ```
 */
export class SharedValue<K extends SharedValueType = 'int32'> {
  /** Makes a SharedValue nested in a message fail to clone. */
  protected readonly __tsio = Symbol('tsio.SharedValue');
  readonly #type: K;
  readonly #sab: SharedArrayBuffer;
  readonly #i32: Int32Array | null = null;
  readonly #f64: Float64Array | null = null;
  readonly #i64: BigInt64Array;
  /** A lock to guard compound updates (Python's `get_lock()`). */
  readonly lock: SharedLock;

  /**
   * @param type `'int32'` (default), `'float64'` or `'bigint64'`.
   * @param initial The first value (0).
   */
  constructor(type: K = 'int32' as K, initial?: ValueOf<K>) {
    checkType('type', type, ['int32', 'float64', 'bigint64']);
    const attached = attachingValue;
    attachingValue = null;
    this.#type = type;
    this.#sab = attached ?? new SharedArrayBuffer(LOCK_BYTES + 8);
    this.#i64 = new BigInt64Array(this.#sab, LOCK_BYTES, 1);
    if (type === 'int32') this.#i32 = new Int32Array(this.#sab, LOCK_BYTES, 1);
    if (type === 'float64') this.#f64 = new Float64Array(this.#sab, LOCK_BYTES, 1);
    this.lock = attachLock(this.#sab, 0);
    if (attached === null) {
      trackShareable(this);
      if (initial !== undefined) this.value = initial;
    }
  }

  /** The type. */
  get type(): K {
    return this.#type;
  }

  #check(name: string, v: unknown): void {
    checkElement(name, this.#type, v);
  }

  /** The current value (an atomic read). */
  get value(): ValueOf<K> {
    if (this.#i32 !== null) return Atomics.load(this.#i32, 0) as ValueOf<K>;
    if (this.#f64 !== null) return this.#f64[0] as ValueOf<K>;
    return Atomics.load(this.#i64, 0) as ValueOf<K>;
  }

  set value(v: ValueOf<K>) {
    this.#check('value', v);
    if (this.#i32 !== null) Atomics.store(this.#i32, 0, v as number);
    else if (this.#f64 !== null) {
      const bits = new BigInt64Array(new Float64Array([v as number]).buffer)[0]!;
      Atomics.store(this.#i64, 0, bits);
    } else Atomics.store(this.#i64, 0, v as bigint);
  }

  /**
   * Adds `n` atomically; returns the new value.
   *
   * @example
   * ```ts
   * counter.add(1);
   * ```
   */
  add(n: ValueOf<K>): ValueOf<K> {
    this.#check('n', n);
    if (this.#i32 !== null)
      return ((Atomics.add(this.#i32, 0, n as number) + (n as number)) | 0) as ValueOf<K>;
    if (this.#f64 === null)
      return BigInt.asIntN(
        64,
        Atomics.add(this.#i64, 0, n as bigint) + (n as bigint),
      ) as ValueOf<K>;
    const f = new Float64Array(1);
    const b = new BigInt64Array(f.buffer);
    for (;;) {
      const old = Atomics.load(this.#i64, 0);
      b[0] = old;
      f[0] = f[0]! + (n as number);
      if (Atomics.compareExchange(this.#i64, 0, old, b[0]) === old) return f[0] as ValueOf<K>;
    }
  }

  /**
   * Subtracts `n` atomically; returns the new value.
   *
   * @example
   * ```ts
   * remaining.sub(1);
   * ```
   */
  sub(n: ValueOf<K>): ValueOf<K> {
    this.#check('n', n);
    return this.add((this.#type === 'bigint64' ? -(n as bigint) : -(n as number)) as ValueOf<K>);
  }

  /**
   * Sets the value to `replacement` if it is `expected` (for `float64`: the same bits); returns
   * the value it had (so it succeeded if that is `expected`).
   *
   * @example
   * ```ts
   * if (flag.compareExchange(0, 1) === 0) console.log('first!');
   * ```
   */
  compareExchange(expected: ValueOf<K>, replacement: ValueOf<K>): ValueOf<K> {
    this.#check('expected', expected);
    this.#check('replacement', replacement);
    if (this.#i32 !== null) {
      return Atomics.compareExchange(
        this.#i32,
        0,
        expected as number,
        replacement as number,
      ) as ValueOf<K>;
    }
    if (this.#f64 === null) {
      return Atomics.compareExchange(
        this.#i64,
        0,
        expected as bigint,
        replacement as bigint,
      ) as ValueOf<K>;
    }
    const f = new Float64Array([expected as number, replacement as number]);
    const b = new BigInt64Array(f.buffer);
    const old = Atomics.compareExchange(this.#i64, 0, b[0]!, b[1]!);
    b[0] = old;
    return f[0] as ValueOf<K>;
  }

  get [Symbol.toStringTag](): string {
    return 'SharedValue';
  }

  /** @internal */
  [kShare](target: 'thread' | 'process'): unknown {
    if (target === 'process') throw processError('SharedValue');
    return { k: 'value', sab: this.#sab, type: this.#type };
  }

  /** @internal */
  [kWorkerDied](death: WorkerDeath): void {
    this.lock[kWorkerDied](death);
  }

  /** @internal */
  [kThreadDied](threadId: number): void {
    this.lock[kThreadDied](threadId);
  }
}

/** Rebuilds a SharedValue in a worker. */
export function attachValue(
  sab: SharedArrayBuffer,
  type: SharedValueType,
): SharedValue<SharedValueType> {
  attachingValue = sab;
  try {
    return new SharedValue(type);
  } finally {
    attachingValue = null;
  }
}
