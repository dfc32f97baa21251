/**
 * The main side shared by both pools: the queue, dispatch in batches, results, cancellation,
 * timeouts, crashes, recycling and shutdown. A pool subclass supplies how a worker is started
 * (`spawn`) and which error breaks it.
 *
 * Ownership: the pool owns the queue (tasks not handed out), the map of handed tasks (`#handed`,
 * by id) and the slot states; each worker record owns its transport and counters. A task belongs
 * to exactly one of: the queue, `#handed`, or nobody (settled and reported).
 */

import { cpus } from 'node:os';
import { CancelledError, InvalidStateError, TimeoutError, WorkerCrashedError } from '../errors.js';
import { Future, STATE } from '../future.js';
import { Deque } from '../internal/deque.js';
import { decodeThrown, encodeThrown, type EncodedThrown } from '../internal/error-codec.js';
import { Histogram } from '../internal/histogram.js';
import {
  kShare,
  kWorkerDied,
  SHARED_KEY,
  ShareHub,
  threadDied,
  type Shareable,
} from '../internal/share.js';
import {
  checkDelay,
  checkInteger,
  checkKnownKeys,
  checkOptions,
  checkSignal,
  checkString,
  rangeError,
  typeError,
  valueError,
} from '../internal/validate.js';
import type {
  Executor,
  ExecutorStats,
  MapOptions,
  ShutdownOptions,
  SubmitOptions,
  Transferable,
} from './executor.js';
import { MapIterator } from './map.js';
import {
  FAILED,
  FLAG_MAP,
  FLAG_NOTIFY,
  FLAG_SHARED,
  FLAG_SOURCE,
  OK,
  RESULT_FIELDS,
  SKIPPED,
  SLOT_CANCELLED,
  SLOT_DONE,
  SLOT_FREE,
  SLOT_QUEUED,
  SLOT_RUNNING,
  type FnDef,
  type FromWorker,
  type ToWorker,
  type WorkerInit,
} from './protocol.js';
import { specOf, type FnSpec } from './task-ref.js';

/** Tasks a worker may hold (running + handed, not started). */
const WINDOW = 2048;
/** Tasks per `run` message at most. */
const MAX_BATCH = 1024;
/** A worker is given about this many milliseconds of work at once, once run times are known. */
const TARGET_MS = 4;

/** Options shared by both pools. */
export interface PoolOptions {
  /** The most workers the pool runs at once. */
  readonly maxWorkers?: number | undefined;
  /**
   * Runs in each worker before its first task (a self-contained function or a module task). If
   * it throws, the pool breaks: every pending and later task fails with the pool's broken error.
   */
  readonly initializer?: ((...args: never[]) => unknown) | undefined;
  /** Arguments for `initializer`. @default [] */
  readonly initargs?: readonly unknown[] | undefined;
  /** A worker is replaced after running this many tasks (memory leaks stay bounded). */
  readonly maxTasksPerWorker?: number | undefined;
  /** Milliseconds a worker may stay idle before it exits (a new one starts on demand). @default Infinity */
  readonly idleTimeout?: number | undefined;
  /**
   * Milliseconds a task stopped by its signal or timeout may take to finish before its worker is
   * terminated and replaced. @default 1000
   */
  readonly gracePeriod?: number | undefined;
  /** A name for the pool, shown in stats, errors and thread names. */
  readonly name?: string | undefined;
}

/** How the pool talks to one worker (a thread or a child process). */
export interface Transport {
  /** The worker thread's id (-1 for a child process). */
  readonly threadId: number;
  send(message: ToWorker, transfer?: readonly Transferable[]): void;
  ref(): void;
  unref(): void;
  /** Stops the worker now. */
  kill(): void;
}

/** Events a transport reports to its pool. */
export interface TransportEvents {
  readonly message: (message: FromWorker) => void;
  /** The worker's own error (uncaught exception, out of memory), before `exit`. */
  readonly error: (error: unknown) => void;
  readonly exit: (code: number | null, signal: string | null) => void;
}

const QUEUED = 0;
const HANDED = 1;
const RUNNING = 2;

class Item {
  state = QUEUED;
  worker: WorkerRecord | null = null;
  slot = -1;
  timer: NodeJS.Timeout | null = null;
  abortListener: (() => void) | null = null;
  /** The channels and shared objects among the arguments. */
  shared: Shareable[] | null = null;
  constructor(
    readonly id: number,
    readonly pool: Pool,
    readonly future: ExecutorFuture<unknown>,
    readonly spec: FnSpec,
    readonly args: unknown[],
    readonly flags: number,
    readonly timeout: number,
    readonly signal: AbortSignal | null,
    readonly transfer: readonly Transferable[] | null,
    readonly submittedAt: number,
  ) {}
}

/**
 * The future of a task submitted to an executor: the core {@link Future}, so `gather`, `wait` and
 * `asCompleted` take it, plus `running()`. `cancel()` succeeds until a worker starts the task
 * (also after it was handed to a worker in a batch: the worker skips it) and returns false once it
 * runs, as in Python.
 *
 * @example
 * ```ts
 * const f = pool.submit(() => 42);
 * f.running(); // false while queued
 * console.log(await f, f.done()); // 42 true
 * ```
 */
export class ExecutorFuture<T> extends Future<T> {
  /** @internal */ _item: Item | null = null;

  /**
   * True while a worker is running the task. Exact for thread pools (the slot state is shared). A
   * process reports a start when the task has a signal or timeout, when nothing is queued behind
   * it, or when its channel has been quiet for a millisecond; for a task started in the middle of
   * a burst of short tasks it may answer false (and `cancel()` true, the result then dropped).
   */
  override running(): boolean {
    const item = this._item;
    return item !== null && !this.done() && item.pool._isRunning(item);
  }

  /**
   * Cancels the task if no worker has started it; returns false once it runs or is done.
   *
   * @example
   * ```ts
   * const f = pool.submit(() => 1);
   * f.cancel(); // true: it was still queued
   * ```
   */
  override cancel(message?: string): boolean {
    if (this.done()) return false;
    const item = this._item;
    if (item !== null && !item.pool._withdraw(item)) return false;
    return super.cancel(message);
  }
}

const cancelFuture = (future: Future<unknown>, message: string): boolean =>
  Future.prototype.cancel.call(future, message);

class WorkerRecord {
  ready = false;
  retiring = false;
  exited = false;
  /** Set when the pool stopped the worker on purpose; its exit is not a crash. */
  expectedExit = false;
  inFlight = 0;
  completed = 0;
  known = new Set<number>();
  idleTimer: NodeJS.Timeout | null = null;
  error: unknown = undefined;
  exitReport: { running: number; error: EncodedThrown | null } | null = null;
  /** The task whose grace period ran out; the worker was terminated for it. */
  terminatedFor: Item | null = null;
  transport!: Transport;
  refd = true;
  constructor(readonly id: number) {}
}

/** A count >= 1 (or Infinity where "no limit" makes sense). */
function positiveInt(name: string, value: unknown, allowInfinity = false): number {
  if (allowInfinity && value === Infinity) return value;
  checkInteger(name, value, 1);
  return value;
}

/** Validated pool options. */
export interface ResolvedOptions {
  maxWorkers: number;
  initializer: FnSpec | null;
  initargs: unknown[];
  maxTasksPerWorker: number;
  idleTimeout: number;
  gracePeriod: number;
  name: string;
}

export function resolveOptions(
  options: PoolOptions | undefined,
  defaults: { maxWorkers: number; name: string },
  extraKeys: readonly string[],
): ResolvedOptions {
  checkOptions('options', options);
  const o = options ?? {};
  checkKnownKeys(
    'options',
    o,
    [
      'maxWorkers',
      'initializer',
      'initargs',
      'maxTasksPerWorker',
      'idleTimeout',
      'gracePeriod',
      'name',
    ].concat(extraKeys),
  );
  const maxWorkers =
    o.maxWorkers === undefined
      ? defaults.maxWorkers
      : positiveInt('options.maxWorkers', o.maxWorkers);
  const initializer =
    o.initializer === undefined ? null : specOf(o.initializer, 'options.initializer');
  if (o.initargs !== undefined && !Array.isArray(o.initargs)) {
    throw typeError('options.initargs', 'an array', o.initargs);
  }
  if (o.initargs !== undefined && initializer === null) {
    throw valueError('options.initargs', 'given only with options.initializer', o.initargs);
  }
  const maxTasksPerWorker =
    o.maxTasksPerWorker === undefined
      ? Infinity
      : positiveInt('options.maxTasksPerWorker', o.maxTasksPerWorker, true);
  let idleTimeout = Infinity;
  if (o.idleTimeout !== undefined) {
    checkDelay('options.idleTimeout', o.idleTimeout);
    idleTimeout = o.idleTimeout;
  }
  let gracePeriod = 1000;
  if (o.gracePeriod !== undefined) {
    checkDelay('options.gracePeriod', o.gracePeriod);
    if (o.gracePeriod === Infinity) {
      throw rangeError('options.gracePeriod', 'a finite number of milliseconds', o.gracePeriod);
    }
    gracePeriod = o.gracePeriod;
  }
  checkString('options.name', o.name);
  return {
    maxWorkers,
    initializer,
    initargs: o.initargs === undefined ? [] : Array.from(o.initargs as readonly unknown[]),
    maxTasksPerWorker,
    idleTimeout,
    gracePeriod,
    name: o.name ?? defaults.name,
  };
}

/** The number of CPUs Node reports (at least 1). */
export function cpuCount(): number {
  return Math.max(1, cpus().length);
}

const OPEN = 0;
const SHUTTING_DOWN = 1;
const CLOSED = 2;

let poolIds = 0;

/** The machinery both pools share. */
export abstract class Pool implements Executor {
  readonly #options: ResolvedOptions;
  readonly #queue = new Deque<Item>();
  readonly #handed = new Map<number, Item>();
  readonly #workers = new Set<WorkerRecord>();
  readonly #slots: Int32Array | null;
  readonly #freeSlots: Int32Array | null;
  #freeTop = 0;
  #nextId = 1;
  #nextWorkerId = 1;
  #flushScheduled = false;
  #state = OPEN;
  #broken: Error | null = null;
  #closed: Promise<void> | null = null;
  #resolveClosed: (() => void) | null = null;
  #avgRunMs = -1;
  #skips: number[] = [];
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #crashes = 0;
  #hub: ShareHub | null = null;
  /** Channels and shared objects among `initargs`: every worker holds them. */
  #initShared: Shareable[] | null = null;
  readonly #runTime = new Histogram();
  readonly #waitTime = new Histogram();
  /** @internal */ readonly _poolId = ++poolIds;

  protected constructor(options: ResolvedOptions, sharedSlots: boolean) {
    this.#options = options;
    if (sharedSlots) {
      const capacity = options.maxWorkers * WINDOW;
      this.#slots = new Int32Array(new SharedArrayBuffer(capacity * 4));
      this.#freeSlots = new Int32Array(capacity);
      for (let i = 0; i < capacity; i++) this.#freeSlots[i] = capacity - 1 - i;
      this.#freeTop = capacity;
    } else {
      this.#slots = null;
      this.#freeSlots = null;
    }
  }

  /** Starts a worker; its transport reports to `events`. */
  protected abstract spawn(init: WorkerInit, events: TransportEvents, id: number): Transport;
  /** The error that breaks this kind of pool (BrokenThreadPoolError, BrokenProcessPoolError). */
  protected abstract brokenError(message: string, cause: unknown): Error;
  /** Thread or process. */
  protected abstract readonly kind: 'thread' | 'process';
  /** Whether this pool starts all its workers at the first submit (processes) or on demand. */
  protected abstract readonly eager: boolean;
  /** Modules each worker imports before any task (a TypeScript loader). */
  protected setupModules(): string[] {
    return [];
  }
  /** Checks per-task options this pool cannot honour. */
  protected checkSubmitOptions(_options: SubmitOptions): void {}

  /** The pool's options after validation. */
  protected get options(): ResolvedOptions {
    return this.#options;
  }

  // ---------------------------------------------------------------- submitting

  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): ExecutorFuture<Awaited<R>> {
    return this.#submit(fn, args, 0, Infinity, null, null) as ExecutorFuture<Awaited<R>>;
  }

  submitWith<A extends unknown[], R>(
    options: SubmitOptions,
    fn: (...args: A) => R,
    ...args: A
  ): ExecutorFuture<Awaited<R>> {
    if (typeof options !== 'object' || options === null) {
      throw typeError('options', 'an object', options);
    }
    checkKnownKeys('options', options, ['signal', 'timeout', 'transfer']);
    const { signal, timeout = Infinity, transfer } = options;
    checkSignal('options.signal', signal);
    checkDelay('options.timeout', timeout);
    if (transfer !== undefined && !Array.isArray(transfer)) {
      throw typeError('options.transfer', 'an array of transferable objects', transfer);
    }
    this.checkSubmitOptions(options);
    const flags = signal !== undefined || timeout !== Infinity ? FLAG_NOTIFY : 0;
    return this.#submit(
      fn,
      args,
      flags,
      timeout,
      signal ?? null,
      transfer ?? null,
    ) as ExecutorFuture<Awaited<R>>;
  }

  /** @internal Submits one chunk of a `map`. */
  _submitChunk(spec: FnSpec, items: unknown[]): ExecutorFuture<unknown[]> {
    this.#checkOpen();
    return this.#enqueue(
      spec,
      [items],
      FLAG_MAP | (spec.source ? FLAG_SOURCE : 0),
      Infinity,
      null,
      null,
    ) as ExecutorFuture<unknown[]>;
  }

  map<T, R>(
    fn: (item: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    this.#checkOpen();
    const spec = specOf(fn);
    checkOptions('options', options);
    const o = options ?? {};
    checkKnownKeys('options', o, ['timeout', 'chunksize', 'buffersize', 'signal']);
    const chunksize = o.chunksize === undefined ? 1 : positiveInt('options.chunksize', o.chunksize);
    const buffersize =
      o.buffersize === undefined ? Infinity : positiveInt('options.buffersize', o.buffersize);
    const timeout = o.timeout === undefined ? Infinity : o.timeout;
    checkDelay('options.timeout', timeout);
    checkSignal('options.signal', o.signal);
    const isIterable =
      iterable != null &&
      (typeof (iterable as Iterable<T>)[Symbol.iterator] === 'function' ||
        typeof (iterable as AsyncIterable<T>)[Symbol.asyncIterator] === 'function');
    if (!isIterable) throw typeError('iterable', 'an iterable or async iterable', iterable);
    return new MapIterator<T, Awaited<R>>(this, spec, iterable, {
      chunksize,
      buffersize,
      timeout,
      signal: o.signal ?? null,
    });
  }

  #checkOpen(): void {
    if (this.#broken !== null) throw this.#broken;
    if (this.#state !== OPEN) {
      throw new InvalidStateError(
        `Cannot submit a task: executor "${this.#options.name}" has been shut down.`,
      );
    }
  }

  #submit(
    fn: unknown,
    args: unknown[],
    flags: number,
    timeout: number,
    signal: AbortSignal | null,
    transfer: readonly Transferable[] | null,
  ): ExecutorFuture<unknown> {
    this.#checkOpen();
    const spec = specOf(fn);
    const shared = this.#swapShared(args);
    const future = this.#enqueue(
      spec,
      args,
      flags | (spec.source ? FLAG_SOURCE : 0) | (shared !== null ? FLAG_SHARED : 0),
      timeout,
      signal,
      transfer,
    );
    const item = future._item;
    if (item !== null) item.shared = shared;
    else if (shared !== null) this.#unshare(shared); // settled at once (an aborted signal)
    return future;
  }

  /**
   * Called by each pool's constructor (once `kind` is set): channels and shared objects among
   * `initargs` travel as they do as task arguments (Python's idiom of handing a Queue to a Pool's
   * initializer); one that cannot go to this kind of worker throws here.
   */
  protected shareInitargs(): void {
    const initargs = this.#options.initargs;
    if (initargs.length > 0) this.#initShared = this.#swapShared(initargs);
  }

  /**
   * Swaps each direct argument that is a channel or shared object (tsio/channels) for its
   * descriptor; returns those objects, or null. Throws what an object says cannot go to this kind
   * of worker (shared memory into a child process).
   */
  #swapShared(args: unknown[]): Shareable[] | null {
    let shared: Shareable[] | null = null;
    try {
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (typeof a !== 'object' || a === null || !(kShare in a)) continue;
        const obj = a as Shareable;
        const hub = this.kind === 'process' ? (this.#hub ??= new ShareHub()) : null;
        args[i] = { [SHARED_KEY]: obj[kShare](this.kind, hub) };
        (shared ??= []).push(obj);
      }
    } catch (error) {
      if (shared !== null) this.#unshare(shared);
      throw error;
    }
    return shared;
  }

  /** Lets the hub forget objects a task no longer has. */
  #unshare(shared: Shareable[]): void {
    if (this.#hub !== null) for (const obj of shared) this.#hub.release(obj);
  }

  #enqueue(
    spec: FnSpec,
    args: unknown[],
    flags: number,
    timeout: number,
    signal: AbortSignal | null,
    transfer: readonly Transferable[] | null,
  ): ExecutorFuture<unknown> {
    const future = new ExecutorFuture<unknown>();
    const item = new Item(
      this.#nextId++,
      this,
      future,
      spec,
      args,
      flags,
      timeout,
      signal,
      transfer,
      performance.timeOrigin + performance.now(),
    );
    future._item = item;
    if (signal !== null) {
      if (signal.aborted) {
        this.#cancelled++;
        cancelFuture(future, 'The task was cancelled by its signal before it started.');
        future._item = null;
        return future;
      }
      item.abortListener = () => this.#onAbort(item);
      signal.addEventListener('abort', item.abortListener, { once: true });
    }
    this.#queue.push(item);
    this.#scheduleFlush();
    return future;
  }

  // ---------------------------------------------------------------- cancelling

  /** @internal True while a worker runs the task. */
  _isRunning(item: Item): boolean {
    if (item.state === RUNNING) return true;
    if (item.state !== HANDED) return false;
    return this.#slots !== null && Atomics.load(this.#slots, item.slot) === SLOT_RUNNING;
  }

  /**
   * @internal Takes back a task that has not started, so its future can be cancelled. False
   * when it is running or done.
   */
  _withdraw(item: Item): boolean {
    if (item.state === QUEUED) {
      // Left in the queue: dispatch skips futures that are done.
      this.#release(item);
      this.#cancelled++;
      return true;
    }
    if (item.state === RUNNING) return false;
    // Handed to a worker, maybe not started.
    if (this.#slots !== null) {
      if (
        Atomics.compareExchange(this.#slots, item.slot, SLOT_QUEUED, SLOT_CANCELLED) !== SLOT_QUEUED
      ) {
        return false;
      }
    } else {
      this.#skip(item);
    }
    this.#release(item);
    this.#cancelled++;
    return true;
  }

  #skip(item: Item): void {
    if (this.#skips.length === 0) {
      queueMicrotask(() => {
        const ids = this.#skips;
        this.#skips = [];
        const byWorker = new Map<WorkerRecord, number[]>();
        for (const id of ids) {
          const w = this.#handed.get(id)?.worker;
          if (w == null || w.exited) continue;
          let list = byWorker.get(w);
          if (list === undefined) byWorker.set(w, (list = []));
          list.push(id);
        }
        for (const [w, list] of byWorker) this.#send(w, { t: 'skip', ids: list });
      });
    }
    this.#skips.push(item.id);
  }

  /** Drops the task's signal listener and timer (the task stays where it is). */
  #release(item: Item): void {
    if (item.shared !== null) {
      // A child process reaches a channel only while a task that has it runs.
      this.#unshare(item.shared);
      item.shared = null;
    }
    if (item.abortListener !== null) {
      item.signal!.removeEventListener('abort', item.abortListener);
      item.abortListener = null;
    }
    if (item.timer !== null) {
      clearTimeout(item.timer);
      item.timer = null;
    }
  }

  #onAbort(item: Item): void {
    item.abortListener = null;
    if (item.future.done()) return;
    if (item.state !== RUNNING && this._withdraw(item)) {
      cancelFuture(item.future, 'The task was cancelled by its signal.');
      return;
    }
    // Running (or about to: its `started` message may be on the way).
    this.#cancelled++;
    cancelFuture(item.future, 'The task was cancelled by its signal while it ran.');
    this.#stopRunning(item, new CancelledError('The task was cancelled by its signal.'));
  }

  /** Aborts a running task's worker-side signal; terminates the worker if it does not finish. */
  #stopRunning(item: Item, reason: Error): void {
    const w = item.worker;
    if (w === null || w.exited) return;
    this.#send(w, { t: 'abort', id: item.id, reason: encodeThrown(reason) });
    if (item.timer !== null) clearTimeout(item.timer);
    item.timer = setTimeout(() => {
      item.timer = null;
      if (this.#handed.get(item.id) === item && !w.exited) {
        w.terminatedFor = item;
        w.transport.kill();
      }
    }, this.#options.gracePeriod);
  }

  #onStarted(item: Item): void {
    item.state = RUNNING;
    if (item.timeout !== Infinity && !item.future.done()) {
      item.timer = setTimeout(() => {
        item.timer = null;
        if (item.future.done()) return;
        this.#failed++;
        const error = new TimeoutError(
          `The task ran for more than ${item.timeout} ms (timeout) and was stopped.`,
        );
        item.future._settle(STATE.REJECTED, error);
        this.#stopRunning(item, error);
      }, item.timeout);
    }
  }

  // ---------------------------------------------------------------- dispatch

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #quota(): number {
    const avg = this.#avgRunMs;
    if (avg < 0) return WINDOW;
    return Math.max(1, Math.min(WINDOW, Math.ceil(TARGET_MS / Math.max(avg, 0.0001))));
  }

  #dropCancelledHead(): void {
    while (this.#queue.length > 0 && this.#queue.peekFront()!.future.done()) {
      this.#queue.shift()!.future._item = null;
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#broken !== null) {
      this.#checkShutdown();
      return;
    }
    this.#dropCancelledHead();
    if (this.#queue.length > 0) {
      this.#startWorkers();
      const quota = this.#quota();
      const takers: WorkerRecord[] = [];
      let live = 0;
      let held = 0;
      for (const w of this.#workers) {
        if (w.retiring || w.exited) continue;
        live++;
        held += w.inFlight;
        if (w.ready && w.inFlight < quota) takers.push(w);
      }
      // No worker holds more than its fair share of all the work (starting workers count), so a
      // few long tasks are not all handed to the first worker that is ready.
      const share = Math.ceil((this.#queue.length + held) / live);
      takers.sort((a, b) => a.inFlight - b.inFlight);
      for (const w of takers) {
        if (this.#queue.length === 0) break;
        const left = this.#options.maxTasksPerWorker - w.completed - w.inFlight;
        if (left <= 0) {
          this.#retire(w);
          continue;
        }
        let n = Math.min(quota, share, w.inFlight + left) - w.inFlight;
        while (n > 0 && this.#queue.length > 0) {
          const queued = this.#queue.length;
          const sent = this.#sendBatch(w, Math.min(n, MAX_BATCH));
          // Nothing handed and nothing taken (no free slot): stop. Tasks that could not be sent
          // were taken off the queue (and failed): go on with the next ones.
          if (sent === 0 && this.#queue.length === queued) break;
          n -= sent;
        }
        this.#dropCancelledHead();
      }
    }
    this.#checkShutdown();
  }

  #startWorkers(): void {
    const max = this.#options.maxWorkers;
    let live = 0;
    let available = 0;
    for (const w of this.#workers) {
      if (w.retiring || w.exited) continue;
      live++;
      if (!w.ready || w.inFlight === 0) available++;
    }
    if (this.eager) {
      while (live < max) {
        this.#startWorker();
        live++;
      }
      return;
    }
    const queued = this.#queue.length;
    while (live < max && available < queued) {
      this.#startWorker();
      live++;
      available++;
    }
  }

  #startWorker(): void {
    const w = new WorkerRecord(this.#nextWorkerId++);
    const init: WorkerInit = {
      kind: this.kind,
      name: `${this.#options.name}#${w.id}`,
      slots: this.#slots === null ? null : (this.#slots.buffer as SharedArrayBuffer),
      initializer: this.#options.initializer?.def ?? null,
      initargs: this.#options.initargs,
      setup: this.setupModules(),
    };
    if (this.#options.initializer !== null) w.known.add(this.#options.initializer.key);
    this.#workers.add(w);
    w.transport = this.spawn(
      init,
      {
        message: (m) => this.#onMessage(w, m),
        error: (e) => {
          w.error ??= e;
        },
        exit: (code, signal) => this.#onExit(w, code, signal),
      },
      w.id,
    );
  }

  #allocSlot(): number {
    if (this.#freeSlots === null) return -1;
    const slot = this.#freeSlots[--this.#freeTop]!;
    Atomics.store(this.#slots!, slot, SLOT_QUEUED);
    return slot;
  }

  #freeSlot(item: Item): void {
    if (item.slot < 0) return;
    Atomics.store(this.#slots!, item.slot, SLOT_FREE);
    this.#freeSlots![this.#freeTop++] = item.slot;
    item.slot = -1;
  }

  #hand(w: WorkerRecord, item: Item, tasks: unknown[], defs: FnDef[] | null): FnDef[] | null {
    const key = item.spec.key;
    if (!w.known.has(key)) {
      (defs ??= []).push(item.spec.def);
      w.known.add(key);
    }
    item.slot = this.#allocSlot();
    item.worker = w;
    item.state = HANDED;
    this.#handed.set(item.id, item);
    w.inFlight++;
    tasks.push(item.id, item.slot, key, item.flags, item.args);
    return defs;
  }

  #unhand(w: WorkerRecord, item: Item): void {
    this.#handed.delete(item.id);
    this.#freeSlot(item);
    item.worker = null;
    item.state = QUEUED;
    w.inFlight--;
  }

  /** Hands up to `n` queued tasks to `w` in one message; returns how many it took. */
  #sendBatch(w: WorkerRecord, n: number): number {
    const batch: Item[] = [];
    const tasks: unknown[] = [];
    let defs: FnDef[] | null = null;
    let transfer: Transferable[] | null = null;
    const slots = this.#freeSlots;
    while (batch.length < n && this.#queue.length > 0) {
      // A retiring or dying worker may still hold slots: never hand out more than are free.
      if (slots !== null && this.#freeTop === 0) break;
      const item = this.#queue.shift()!;
      if (item.future.done()) {
        item.future._item = null;
        continue;
      }
      defs = this.#hand(w, item, tasks, defs);
      if (item.transfer !== null) (transfer ??= []).push(...item.transfer);
      batch.push(item);
    }
    if (batch.length === 0) return 0;
    this.#ref(w);
    try {
      w.transport.send({ t: 'run', defs, tasks }, transfer ?? undefined);
    } catch {
      // Something in the batch cannot be sent (a function or a socket as an argument): take it
      // back and send the tasks one by one, failing only those that cannot travel.
      for (const item of batch) this.#unhand(w, item);
      if (defs !== null) for (const def of defs) w.known.delete(def[0]);
      let sent = 0;
      for (const item of batch) if (this.#sendOne(w, item)) sent++;
      return sent;
    }
    return batch.length;
  }

  /** Hands one task to `w`; false (and the task failed) when its arguments cannot be sent. */
  #sendOne(w: WorkerRecord, item: Item): boolean {
    const tasks: unknown[] = [];
    const defs = this.#hand(w, item, tasks, null);
    try {
      w.transport.send({ t: 'run', defs, tasks }, item.transfer ?? undefined);
      return true;
    } catch (error) {
      this.#unhand(w, item);
      if (defs !== null) for (const def of defs) w.known.delete(def[0]);
      this.#release(item);
      this.#failed++;
      const detail = String((error as Error).message).replace(/\.+$/, '');
      const nested = /Symbol\(tsio\.(\w+)\)/.exec(detail);
      const e = new TypeError(
        nested !== null
          ? `The task's arguments cannot be sent to a worker: a ${nested[1]} (tsio/channels) ` +
              'is inside another argument. Pass channels and shared objects as direct ' +
              'arguments of the task, e.g. pool.submit(fn, queue, data), not inside arrays or objects.'
          : `The task's arguments cannot be sent to a worker: ${detail}. ` +
              'Arguments must be structured-cloneable (no functions, sockets or class instances ' +
              'with behaviour).',
        { cause: error },
      );
      item.future._item = null;
      if (!item.future.done()) item.future._settle(STATE.REJECTED, e);
      return false;
    }
  }

  #send(w: WorkerRecord, message: ToWorker): void {
    try {
      w.transport.send(message);
    } catch {
      // The worker is gone; its exit event accounts for its tasks.
    }
  }

  #ref(w: WorkerRecord): void {
    if (!w.refd) {
      w.refd = true;
      w.transport.ref();
    }
    if (w.idleTimer !== null) {
      clearTimeout(w.idleTimer);
      w.idleTimer = null;
    }
  }

  #idle(w: WorkerRecord): void {
    if (w.refd) {
      w.refd = false;
      w.transport.unref();
    }
    const ms = this.#options.idleTimeout;
    if (ms !== Infinity && w.idleTimer === null && this.#state === OPEN) {
      w.idleTimer = setTimeout(() => {
        w.idleTimer = null;
        if (w.inFlight === 0) this.#retire(w);
      }, ms);
      w.idleTimer.unref();
    }
  }

  /** Stops giving the worker tasks; it exits once its handed tasks are done. */
  #retire(w: WorkerRecord): void {
    if (w.retiring) return;
    w.retiring = true;
    if (w.idleTimer !== null) {
      clearTimeout(w.idleTimer);
      w.idleTimer = null;
    }
    if (w.inFlight === 0) this.#stopWorker(w);
  }

  #stopWorker(w: WorkerRecord): void {
    if (w.expectedExit || w.exited) return;
    w.expectedExit = true;
    // Keep the process alive until the worker has exited, so `await shutdown()` can finish.
    if (!w.refd) {
      w.refd = true;
      w.transport.ref();
    }
    if (w.ready) this.#send(w, { t: 'exit' });
    else w.transport.kill();
  }

  // ---------------------------------------------------------------- worker events

  #onMessage(w: WorkerRecord, m: FromWorker): void {
    switch (m.t) {
      case 'done':
        this.#onResults(w, m.results);
        break;
      case 'started': {
        const item = this.#handed.get(m.id);
        if (item !== undefined) this.#onStarted(item);
        break;
      }
      case 'ready':
        w.ready = true;
        if (w.expectedExit) {
          this.#send(w, { t: 'exit' });
          break;
        }
        if (w.retiring) {
          this.#stopWorker(w);
          break;
        }
        if (this.#queue.length === 0) this.#idle(w);
        this.#scheduleFlush();
        break;
      case 'initError':
        this.#breakPool(
          `The initializer of executor "${this.#options.name}" failed: the pool is broken.`,
          decodeThrown(m.error),
        );
        break;
      case 'exiting':
        w.exitReport = { running: m.running, error: m.error };
        this.#onResults(w, m.results);
        break;
      case 'ch':
      case 'chx':
        // A child process's operation on a channel that lives here.
        (this.#hub ??= new ShareHub()).handle(w, m, (reply) => this.#send(w, reply));
        break;
      case 'chb': {
        const hub = (this.#hub ??= new ShareHub());
        const reply = (r: ToWorker): void => this.#send(w, r);
        for (const r of m.m) hub.handle(w, r, reply);
        break;
      }
    }
  }

  #onResults(w: WorkerRecord, results: unknown[]): void {
    for (let i = 0; i < results.length; i += RESULT_FIELDS) {
      const item = this.#handed.get(results[i] as number);
      if (item === undefined) continue;
      this.#handed.delete(item.id);
      this.#freeSlot(item);
      w.inFlight--;
      const status = results[i + 1] as number;
      const future = item.future;
      future._item = null;
      if (status === SKIPPED) {
        continue;
      }
      this.#release(item);
      w.completed++;
      const runMs = results[i + 4] as number;
      this.#runTime.record(runMs);
      this.#waitTime.record((results[i + 3] as number) - item.submittedAt);
      this.#avgRunMs = this.#avgRunMs < 0 ? runMs : this.#avgRunMs * 0.9 + runMs * 0.1;
      if (future.done()) continue;
      if (status === OK) {
        this.#completed++;
        future._settle(STATE.FULFILLED, results[i + 2]);
      } else if (status === FAILED) {
        this.#failed++;
        future._settle(STATE.REJECTED, decodeThrown(results[i + 2] as EncodedThrown));
      }
    }
    if (w.completed >= this.#options.maxTasksPerWorker) w.retiring = true;
    if (w.inFlight === 0) {
      if (w.retiring) this.#stopWorker(w);
      else if (this.#queue.length === 0) this.#idle(w);
    }
    this.#scheduleFlush();
  }

  #onExit(w: WorkerRecord, code: number | null, signal: string | null): void {
    if (w.exited) return;
    w.exited = true;
    this.#workers.delete(w);
    if (w.idleTimer !== null) clearTimeout(w.idleTimer);
    const crashed = !w.expectedExit;
    if (crashed && !w.ready && this.#broken === null && w.terminatedFor === null) {
      // A worker that dies before it is ready would die again: the pool cannot work.
      const cause = w.error ?? (w.exitReport?.error ? decodeThrown(w.exitReport.error) : undefined);
      this.#breakPool(
        `A worker of executor "${this.#options.name}" exited with ${
          signal !== null ? `signal ${signal}` : `code ${code}`
        } before it was ready: the pool is broken.`,
        cause,
      );
    }
    if (crashed && w.terminatedFor === null) this.#crashes++;
    const lost: Item[] = [];
    for (const item of this.#handed.values()) if (item.worker === w) lost.push(item);
    // The channels of the tasks the dead worker ran (and of initargs) are told, so that nobody
    // waits on them forever; a dead thread's hold on any channel's lock is undone.
    const died = lost.length > 0 ? this.#recover(w, lost, code, signal) : [];
    this.#hub?.workerGone(w);
    if (crashed && (died.length > 0 || this.#initShared !== null)) {
      const how =
        w.terminatedFor !== null
          ? 'was terminated (a task outlived its timeout or signal)'
          : signal !== null
            ? `was killed by ${signal}`
            : `crashed with exit code ${code}`;
      const death = { kind: this.kind, threadId: w.transport.threadId, how };
      for (const obj of new Set([...died, ...(this.#initShared ?? [])])) obj[kWorkerDied](death);
    }
    // A thread that exits normally holds no channel's internal lock (those are held only inside
    // one synchronous call); one killed may, and so may one that crashed holding a SharedLock.
    if (crashed && this.kind === 'thread') threadDied(w.transport.threadId);
    this.#scheduleFlush();
  }

  /**
   * Accounts for the tasks a dead worker held: the running one fails, the others run elsewhere.
   * Returns the channels and shared objects of the tasks it ran or was running.
   */
  #recover(w: WorkerRecord, lost: Item[], code: number | null, signal: string | null): Shareable[] {
    const died: Shareable[] = [];
    const slots = this.#slots;
    let runningId = w.terminatedFor?.id ?? w.exitReport?.running ?? -1;
    if (runningId < 0) {
      for (const item of lost) {
        if (
          item.state === RUNNING ||
          (slots !== null && Atomics.load(slots, item.slot) === SLOT_RUNNING)
        ) {
          runningId = item.id;
          break;
        }
      }
    }
    if (runningId < 0 && slots === null && w.exitReport === null) {
      // A child process killed outright says nothing: it runs tasks in order, so the first one it
      // had not reported is the one it was running.
      runningId = lost[0]?.id ?? -1;
    }
    const requeue: Item[] = [];
    for (const item of lost) {
      const slotState = slots !== null ? Atomics.load(slots, item.slot) : -1;
      if (
        item.shared !== null &&
        (item.id === runningId || slotState === SLOT_DONE || slotState === SLOT_RUNNING)
      ) {
        died.push(...item.shared);
      }
      this.#unhand(w, item);
      const future = item.future;
      if (future.done()) {
        future._item = null;
        this.#release(item);
        continue;
      }
      const ran = item.id === runningId || slotState === SLOT_DONE;
      if (!ran && slotState !== SLOT_CANCELLED && item.transfer === null) {
        requeue.push(item);
        continue;
      }
      this.#release(item);
      future._item = null;
      this.#failed++;
      future._settle(
        STATE.REJECTED,
        this.#crashError(
          w,
          code,
          signal,
          item.id === runningId ? 'running' : item.transfer !== null && !ran ? 'transfer' : 'lost',
        ),
      );
    }
    for (let i = requeue.length - 1; i >= 0; i--) this.#queue.unshift(requeue[i]!);
    return died;
  }

  #crashError(
    w: WorkerRecord,
    code: number | null,
    signal: string | null,
    why: 'running' | 'lost' | 'transfer',
  ): WorkerCrashedError {
    const cause =
      w.error !== undefined
        ? w.error
        : w.exitReport?.error
          ? decodeThrown(w.exitReport.error)
          : undefined;
    const causeCode = (cause as { code?: unknown } | undefined)?.code;
    let how: string;
    if (causeCode === 'ERR_WORKER_OUT_OF_MEMORY') how = 'ran out of memory';
    else if (cause instanceof Error)
      how = `crashed with an uncaught ${cause.name}: ${cause.message}`;
    else if (signal !== null) how = `was killed by ${signal}`;
    else how = `exited with code ${code}`;
    const kind = this.kind === 'thread' ? 'worker thread' : 'worker process';
    const message =
      why === 'running'
        ? `The ${kind} running this task ${how}.`
        : why === 'lost'
          ? `The ${kind} ${how} after this task finished, before its result was sent back.`
          : `The ${kind} ${how} holding this task, whose transferred objects were lost with it.`;
    const error = new WorkerCrashedError(message, cause === undefined ? undefined : { cause });
    error.exitCode = signal !== null ? null : code;
    error.signal = signal;
    return error;
  }

  #breakPool(message: string, cause: unknown): void {
    if (this.#broken !== null) return;
    const error = this.brokenError(message, cause);
    this.#broken = error;
    const fail = (item: Item): void => {
      this.#release(item);
      item.future._item = null;
      if (!item.future.done()) {
        this.#failed++;
        item.future._settle(STATE.REJECTED, error);
      }
    };
    while (this.#queue.length > 0) fail(this.#queue.shift()!);
    for (const item of this.#handed.values()) {
      fail(item);
      this.#freeSlot(item);
    }
    this.#handed.clear();
    for (const w of this.#workers) {
      w.inFlight = 0;
      w.expectedExit = true;
      w.transport.kill();
    }
    this.#state = Math.max(this.#state, SHUTTING_DOWN);
    this.#checkShutdown();
  }

  // ---------------------------------------------------------------- shutdown

  /**
   * Stops accepting tasks. With `cancelFutures`, tasks that have not started are cancelled. With
   * `wait` (the default) it resolves once every pending task is done and every worker has
   * exited; without, the workers exit by themselves as soon as their work is done.
   *
   * @example
   * ```ts
   * await pool.shutdown({ cancelFutures: true });
   * ```
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    try {
      checkOptions('options', options);
      const o = options ?? {};
      checkKnownKeys('options', o, ['wait', 'cancelFutures']);
      const { wait = true, cancelFutures = false } = o;
      if (typeof wait !== 'boolean') throw typeError('options.wait', 'a boolean', wait);
      if (typeof cancelFutures !== 'boolean') {
        throw typeError('options.cancelFutures', 'a boolean', cancelFutures);
      }
      if (this.#state === OPEN) this.#state = SHUTTING_DOWN;
      this.#closed ??=
        this.#state === CLOSED
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              this.#resolveClosed = resolve;
            });
      if (cancelFutures) {
        for (let i = 0; i < this.#queue.length; i++) this.#queue.at(i)!.future.cancel();
        for (const item of [...this.#handed.values()]) item.future.cancel();
      }
      this.#checkShutdown();
      return wait ? this.#closed : Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `shutdown({ wait: true })`, for `await using pool = new ThreadPoolExecutor()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  #checkShutdown(): void {
    if (this.#state === OPEN) return;
    this.#dropCancelledHead();
    if (this.#queue.length > 0 || this.#handed.size > 0) return;
    for (const w of this.#workers) this.#stopWorker(w);
    if (this.#workers.size === 0 && this.#state !== CLOSED) {
      this.#state = CLOSED;
      this.#hub?.clear();
      this.#resolveClosed?.();
    }
  }

  // ---------------------------------------------------------------- stats

  /**
   * A snapshot of the pool: workers, queue length, tasks completed, and run-time and wait-time
   * percentiles.
   *
   * @example
   * ```ts
   * const { workers, queued, completed, runTime } = pool.stats();
   * console.log(`${completed} done, p99 ${runTime.p99.toFixed(2)} ms`);
   * ```
   */
  stats(): ExecutorStats {
    let idle = 0;
    for (const w of this.#workers) if (w.ready && w.inFlight === 0 && !w.expectedExit) idle++;
    let queued = 0;
    for (let i = 0; i < this.#queue.length; i++) if (!this.#queue.at(i)!.future.done()) queued++;
    return {
      name: this.#options.name,
      workers: this.#workers.size,
      idleWorkers: idle,
      queued,
      inFlight: this.#handed.size,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      crashes: this.#crashes,
      runTime: this.#runTime.percentiles(),
      waitTime: this.#waitTime.percentiles(),
    };
  }
}
