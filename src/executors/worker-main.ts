/**
 * The worker side of both pools: the entry script of every worker thread and child process.
 *
 * A worker runs one task at a time, in the order it received them. Tasks arrive in batches; results
 * go back in batches, flushed at the end of a batch or at least every millisecond, when the worker
 * also yields to its event loop so that `skip`/`abort` messages get in. Before running a task handed
 * over a SharedArrayBuffer slot, the worker claims it (QUEUED -> RUNNING); a slot the main side
 * already cancelled is skipped.
 */

import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { encodeThrown, type EncodedThrown } from '../internal/error-encode.js';
import {
  DEF_SOURCE,
  FAILED,
  FLAG_MAP,
  FLAG_NOTIFY,
  FLAG_SHARED,
  FLAG_SOURCE,
  OK,
  SKIPPED,
  SLOT_DONE,
  SLOT_QUEUED,
  SLOT_RUNNING,
  TASK_FIELDS,
  type FnDef,
  type FromWorker,
  type ToWorker,
  type WorkerInit,
} from './protocol.js';
import { registeredTask, type AnyFunction } from './registry.js';
import { setCurrentTask, TaskContext } from './worker-context.js';

const FLUSH_MS = 1;
/** internal/share.ts's SHARED_KEY (not imported: a worker loads only what it needs). */
const SHARED_ARG = '__tsioShared';
/**
 * After its queue runs dry a worker thread polls its port for this long before it sleeps in the
 * event loop: the next task of a caller awaiting one task at a time arrives without the cost of
 * waking the thread up.
 */
const SPIN_MS = 0.05;

const isThread = !isMainThread && parentPort !== null;

let lastPost = 0;

function post(message: FromWorker): void {
  if (isThread) parentPort!.postMessage(message);
  else process.send!(message);
  lastPost = performance.now();
}

// esbuild (tsx) adds `__name(fn, "name")` calls to function bodies; a function shipped as source
// needs the helper in the worker's global scope.
const g = globalThis as { __name?: unknown };
g.__name ??= (fn: Function, name: string) =>
  Object.defineProperty(fn, 'name', { value: name, configurable: true });

let slots: Int32Array | null = null;
const fns = new Map<number, AnyFunction | Promise<AnyFunction>>();
const skipped = new Set<number>();
const batches: unknown[][] = [];
let position = 0;
let draining = false;
let exiting = false;
let out: unknown[] = [];
let current: TaskContext | null = null;
let lastUncaught: EncodedThrown | null = null;

function failing(error: unknown): AnyFunction {
  return () => {
    throw error;
  };
}

async function importFunction(url: string, name: string): Promise<AnyFunction> {
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    return failing(error);
  }
  const fn = registeredTask(url, name) ?? module[name];
  if (typeof fn !== 'function') {
    return failing(
      new TypeError(
        `Module ${url} has no task "${name}": define it with defineTask(import.meta.url, ` +
          `'${name}', fn) or export a function named "${name}".`,
      ),
    );
  }
  return fn as AnyFunction;
}

function define(def: FnDef): AnyFunction | Promise<AnyFunction> {
  if (def[1] === DEF_SOURCE) {
    try {
      return (0, eval)(def[2]) as AnyFunction;
    } catch (error) {
      return failing(error);
    }
  }
  return importFunction(def[2], def[3]);
}

function explain(error: unknown, flags: number): unknown {
  if (flags & FLAG_SOURCE && error instanceof ReferenceError) {
    error.message +=
      ' (the function was sent to the worker as source, so it cannot use variables from the ' +
      'scope where it was written: pass them as arguments, or define it in a module with ' +
      'defineTask())';
  }
  return error;
}

function flush(): void {
  if (out.length === 0) return;
  const results = out;
  out = [];
  try {
    post({ t: 'done', results });
  } catch {
    // A result that cannot be cloned: send them one by one, replacing the ones that fail.
    for (let i = 0; i < results.length; i += 5) {
      const one = results.slice(i, i + 5);
      try {
        post({ t: 'done', results: one });
      } catch (error) {
        const message = (error as Error).message;
        const e = new TypeError(
          /Symbol\(tsio\./.test(message)
            ? "The task's result could not be sent back from the worker: it holds a tsio channel " +
                'or shared object, which cannot be returned from a task. Create channels in the ' +
                'main thread and pass them to tasks as arguments.'
            : `The task's result could not be sent back from the worker: ${message}`,
        );
        post({ t: 'done', results: [one[0], FAILED, encodeThrown(e), one[3], one[4]] });
      }
    }
  }
}

// The same test as internal/validate.ts's, kept here so that a worker does not load that module
// at start-up (each module costs a new thread about 0.7 ms).
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** A `map` chunk: `fn` over each item, in order; synchronous unless an item returns a promise. */
function runChunk(fn: AnyFunction, items: unknown[], context: TaskContext): unknown {
  const results = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) {
    const r = fn.call(context, items[i]);
    if (isThenable(r)) return finishChunk(fn, items, context, results, i, r);
    results[i] = r;
  }
  return results;
}

async function finishChunk(
  fn: AnyFunction,
  items: unknown[],
  context: TaskContext,
  results: unknown[],
  from: number,
  pending: PromiseLike<unknown>,
): Promise<unknown[]> {
  results[from] = await pending;
  for (let i = from + 1; i < items.length; i++) results[i] = await fn.call(context, items[i]);
  return results;
}

async function drain(): Promise<void> {
  draining = true;
  let lastFlush = performance.now();
  while (batches.length > 0) {
    const tasks = batches[0]!;
    if (position >= tasks.length) {
      batches.shift();
      position = 0;
      continue;
    }
    const id = tasks[position] as number;
    const slot = tasks[position + 1] as number;
    const fnKey = tasks[position + 2] as number;
    const flags = tasks[position + 3] as number;
    const args = tasks[position + 4] as unknown[];
    tasks[position + 4] = undefined;
    position += TASK_FIELDS;
    if (
      slot >= 0
        ? Atomics.compareExchange(slots!, slot, SLOT_QUEUED, SLOT_RUNNING) !== SLOT_QUEUED
        : skipped.delete(id)
    ) {
      out.push(id, SKIPPED, undefined, 0, 0);
      continue;
    }
    // Threads share slot states with the main side. A process tells it when a task starts if the
    // task is timed or cancellable, if nothing is queued behind it, or if the channel has been
    // quiet for a millisecond: exact for long tasks, about one message per ms in a burst.
    if (
      flags & FLAG_NOTIFY ||
      (slot < 0 &&
        ((position >= tasks.length && batches.length === 1) ||
          performance.now() - lastPost >= FLUSH_MS))
    ) {
      post({ t: 'started', id });
    }
    const context = new TaskContext(id);
    current = context;
    setCurrentTask(context);
    const t0 = performance.now();
    const startedAt = performance.timeOrigin + t0;
    let status = OK;
    let value: unknown;
    try {
      if (flags & FLAG_SHARED) (await reviver())(args);
      channels?.beginTask();
      let fn = fns.get(fnKey)!;
      if (typeof fn !== 'function') {
        fn = await fn;
        fns.set(fnKey, fn);
      }
      value =
        flags & FLAG_MAP ? runChunk(fn, args[0] as unknown[], context) : fn.apply(context, args);
      if (isThenable(value)) value = await value;
      // What the task sent through channels (its arguments' or initargs') is delivered before
      // its result.
      if (channels !== null) await channels.settleShared();
    } catch (error) {
      status = FAILED;
      value = encodeThrown(explain(error, flags));
    }
    const end = performance.now();
    current = null;
    setCurrentTask(null);
    if (slot >= 0) Atomics.store(slots!, slot, SLOT_DONE);
    out.push(id, status, value, startedAt, end - t0);
    if (end - lastFlush >= FLUSH_MS) {
      flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastFlush = performance.now();
    }
  }
  flush();
  // Every task handed over so far has run or been skipped: a `skip` still pending came too late.
  skipped.clear();
  if (isThread && !exiting && spinForWork()) {
    void drain();
    return;
  }
  draining = false;
  if (exiting) exitWhenDrained();
}

/**
 * Exits once what this worker sent through pipes is delivered: messages still in an outbox (the
 * reader was slow) would die with it. Python's process, likewise, joins only once its queue's
 * buffer is flushed.
 */
function exitWhenDrained(): void {
  if (channels === null) process.exit(0);
  void channels.outboxesDrained().then(() => process.exit(0));
}

/** Polls the port briefly; true when a message arrived that queued work. */
function spinForWork(): boolean {
  const until = performance.now() + SPIN_MS;
  do {
    const received = receiveMessageOnPort(parentPort!);
    if (received !== undefined) {
      onMessage(received.message as ToWorker);
      if (batches.length > 0 || exiting) return batches.length > 0;
    }
  } while (performance.now() < until);
  return false;
}

type ReviveModule = typeof import('../channels/revive.js');
let reviveModule: Promise<ReviveModule> | null = null;
/** The channels module, once a task or the initializer received a channel. */
let channels: ReviveModule | null = null;

/** Rebuilds channels and shared objects among a task's arguments (the module loads on first use). */
async function reviver(): Promise<(args: unknown[]) => void> {
  channels = await (reviveModule ??= import('../channels/revive.js'));
  return channels.reviveArgs;
}

/** Aborts a task's signal with the reason rebuilt as its own class (loaded on first use). */
function abort(context: TaskContext, reason: EncodedThrown): void {
  import('../internal/error-codec.js').then(
    ({ decodeThrown }) => context.abort(decodeThrown(reason)),
    (error: unknown) => context.abort(error),
  );
}

function onMessage(message: ToWorker): void {
  switch (message.t) {
    case 'run':
      if (message.defs !== null) for (const def of message.defs) fns.set(def[0], define(def));
      batches.push(message.tasks);
      if (!draining) void drain();
      break;
    case 'skip':
      for (const id of message.ids) skipped.add(id);
      break;
    case 'abort':
      if (current !== null && current.id === message.id) abort(current, message.reason);
      break;
    case 'exit':
      exiting = true;
      if (!draining) exitWhenDrained();
      break;
    case 'init':
      void start(message.data);
      break;
  }
}

async function start(init: WorkerInit): Promise<void> {
  if (init.slots !== null) slots = new Int32Array(init.slots);
  try {
    for (const url of init.setup) {
      const module = (await import(url)) as { register?: () => unknown };
      if (typeof module.register === 'function') module.register();
    }
    if (init.initializer !== null) {
      const fn = await define(init.initializer);
      const args = [...init.initargs];
      if (args.some((a) => typeof a === 'object' && a !== null && SHARED_ARG in a)) {
        (await reviver())(args);
      }
      await fn(...args);
    }
  } catch (error) {
    post({ t: 'initError', error: encodeThrown(error) });
    return;
  }
  post({ t: 'ready' });
}

process.on('uncaughtExceptionMonitor', (error) => {
  lastUncaught = encodeThrown(error);
});
process.on('exit', (code) => {
  if (exiting && out.length === 0) return;
  try {
    post({
      t: 'exiting',
      results: out,
      running: current === null ? -1 : current.id,
      error: lastUncaught,
      code,
    });
  } catch {
    // The channel is gone: the main side accounts for the tasks from its own records.
  }
});

if (isThread) {
  parentPort!.on('message', onMessage);
  void start(workerData as WorkerInit);
} else {
  process.on('message', onMessage);
  // The parent went away: nothing can receive our results.
  process.on('disconnect', () => process.exit(0));
}
