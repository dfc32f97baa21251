/**
 * `ThreadPoolExecutor`: a pool of `worker_threads` that starts threads on demand.
 */

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { BrokenThreadPoolError } from '../errors.js';
import { checkKnownKeys, rangeError, typeError } from '../internal/validate.js';
import {
  cpuCount,
  Pool,
  resolveOptions,
  type PoolOptions,
  type Transport,
  type TransportEvents,
} from './pool.js';
import type { ToWorker, WorkerInit } from './protocol.js';
import type { Transferable } from './executor.js';

const WORKER_MAIN = new URL('./worker-main.js', import.meta.url);

/** Options of {@link ThreadPoolExecutor}. */
export interface ThreadPoolOptions extends PoolOptions {
  /**
   * The most threads at once.
   * @default Math.min(32, os.cpus().length + 4), as Python
   */
  readonly maxWorkers?: number | undefined;
  /** Memory limits of each worker thread; a thread that exceeds them crashes (its task fails). */
  readonly resourceLimits?: ResourceLimits | undefined;
}

const LIMIT_KEYS = [
  'maxYoungGenerationSizeMb',
  'maxOldGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
] as const;

function checkResourceLimits(value: unknown): ResourceLimits | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw typeError('options.resourceLimits', 'an object', value);
  }
  checkKnownKeys('options.resourceLimits', value, LIMIT_KEYS);
  for (const [key, limit] of Object.entries(value)) {
    if (typeof limit !== 'number') {
      throw typeError(`options.resourceLimits.${key}`, 'a number of megabytes', limit);
    }
    if (!(limit > 0) || !Number.isFinite(limit)) {
      throw rangeError(`options.resourceLimits.${key}`, 'a positive number of megabytes', limit);
    }
  }
  return { ...(value as ResourceLimits) };
}

let loaderSetup: string[] | null = null;

/**
 * Worker threads on Node 20 do not inherit a TypeScript loader registered with `--import`; when
 * the process runs under tsx, each thread registers tsx's ESM hooks itself before importing a
 * task module.
 */
function typeScriptLoaderSetup(): string[] {
  if (loaderSetup !== null) return loaderSetup;
  loaderSetup = [];
  const flags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  if (!/\btsx\b/.test(flags)) return loaderSetup;
  for (const base of [process.argv[1], `${process.cwd()}/`]) {
    if (base === undefined) continue;
    try {
      const require = createRequire(pathToFileURL(base));
      const api = require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
      loaderSetup = [pathToFileURL(api).href];
      break;
    } catch {
      // not resolvable from there
    }
  }
  return loaderSetup;
}

class ThreadTransport implements Transport {
  readonly #worker: Worker;
  /** Read at start: `Worker#threadId` is -1 once the thread has stopped. */
  readonly threadId: number;
  constructor(init: WorkerInit, events: TransportEvents, limits: ResourceLimits | undefined) {
    this.#worker = new Worker(WORKER_MAIN, {
      workerData: init,
      name: init.name,
      ...(limits !== undefined ? { resourceLimits: limits } : {}),
    });
    this.threadId = this.#worker.threadId;
    this.#worker.on('message', events.message);
    this.#worker.on('error', events.error);
    this.#worker.once('exit', (code) => {
      this.#worker.off('message', events.message);
      this.#worker.off('error', events.error);
      events.exit(code, null);
    });
  }
  send(message: ToWorker, transfer?: readonly Transferable[]): void {
    this.#worker.postMessage(message, transfer as Transferable[] | undefined);
  }
  ref(): void {
    this.#worker.ref();
  }
  unref(): void {
    this.#worker.unref();
  }
  kill(): void {
    void this.#worker.terminate();
  }
}

/**
 * Runs functions on a pool of worker threads and returns tsio futures: Python's
 * `concurrent.futures.ThreadPoolExecutor` for Node. Threads start on demand, up to `maxWorkers`;
 * queued tasks go to threads in batches, so tiny tasks cost well under a microsecond of overhead.
 * A thread that crashes fails only the task it was running; an idle pool never keeps the process
 * alive.
 *
 * A task is a self-contained function (sent as source: it must not use variables from outside its
 * body) or a module task made with `defineTask`/`importTask`. Arguments and results are copied
 * with the structured clone algorithm.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor } from 'tsio/executors';
 * import { gather } from 'tsio';
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
 * // Self-contained: a named function may call itself; it may not use outer variables.
 * function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2);
 * }
 * const results = await gather([30, 31, 32].map((n) => pool.submit(fib, n)));
 * ```
 */
export class ThreadPoolExecutor extends Pool {
  protected readonly kind = 'thread';
  protected readonly eager = false;
  readonly #limits: ResourceLimits | undefined;

  constructor(options?: ThreadPoolOptions) {
    const resolved = resolveOptions(
      options,
      { maxWorkers: Math.min(32, cpuCount() + 4), name: 'ThreadPoolExecutor' },
      ['resourceLimits'],
    );
    const limits = checkResourceLimits(options?.resourceLimits);
    super(resolved, true);
    this.#limits = limits;
    this.shareInitargs();
  }

  protected spawn(init: WorkerInit, events: TransportEvents): Transport {
    return new ThreadTransport(init, events, this.#limits);
  }

  protected override setupModules(): string[] {
    return typeScriptLoaderSetup();
  }

  protected brokenError(message: string, cause: unknown): Error {
    return new BrokenThreadPoolError(message, cause === undefined ? undefined : { cause });
  }
}
