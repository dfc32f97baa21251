/**
 * `ProcessPoolExecutor`: a pool of child processes, all started at the first submit.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BrokenProcessPoolError } from '../errors.js';
import { valueError } from '../internal/validate.js';
import type { SubmitOptions } from './executor.js';
import {
  cpuCount,
  Pool,
  resolveOptions,
  type PoolOptions,
  type Transport,
  type TransportEvents,
} from './pool.js';
import type { ToWorker, WorkerInit } from './protocol.js';

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/** Options of {@link ProcessPoolExecutor}. */
export interface ProcessPoolOptions extends PoolOptions {
  /**
   * The number of processes, all started at the first submit.
   * @default os.cpus().length
   */
  readonly maxWorkers?: number | undefined;
}

class ProcessTransport implements Transport {
  readonly #child: ChildProcess;
  readonly threadId = -1;
  constructor(init: WorkerInit, events: TransportEvents) {
    this.#child = fork(WORKER_MAIN, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = this.#child;
    child.on('message', events.message as (m: unknown) => void);
    child.on('error', events.error);
    child.once('close', (code, signal) => {
      child.off('message', events.message as (m: unknown) => void);
      child.off('error', events.error);
      events.exit(code, signal);
    });
    child.send({ t: 'init', data: init } satisfies ToWorker);
  }
  send(message: ToWorker): void {
    if (!this.#child.connected) throw new Error('The worker process has disconnected.');
    this.#child.send(message);
  }
  ref(): void {
    this.#child.ref();
    this.#child.channel?.ref();
  }
  unref(): void {
    this.#child.unref();
    this.#child.channel?.unref();
  }
  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

/**
 * Runs functions in a pool of child processes and returns tsio futures: Python's
 * `concurrent.futures.ProcessPoolExecutor`. All `maxWorkers` processes start at the first submit;
 * work travels in batches over IPC (V8 serialisation). A process that crashes fails only the task
 * it was running and is replaced.
 *
 * Differences from the thread pool: no `transfer` and no `resourceLimits` (pass `--max-old-space-size`
 * through `NODE_OPTIONS` instead); a task handed to a process in a batch and then cancelled is
 * skipped if the process has not started it yet, but `cancel()` cannot see whether it has (the
 * thread pool can), so a cancelled task's result may be computed and dropped.
 *
 * @example
 * ```ts
 * import { ProcessPoolExecutor } from 'tsio/executors';
 *
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 * for await (const isPrime of pool.map(checkPrime, numbers, { chunksize: 100 })) console.log(isPrime);
 * ```
 */
export class ProcessPoolExecutor extends Pool {
  protected readonly kind = 'process';
  protected readonly eager = true;

  constructor(options?: ProcessPoolOptions) {
    super(
      resolveOptions(options, { maxWorkers: cpuCount(), name: 'ProcessPoolExecutor' }, []),
      false,
    );
    this.shareInitargs();
  }

  protected spawn(init: WorkerInit, events: TransportEvents): Transport {
    return new ProcessTransport(init, events);
  }

  protected brokenError(message: string, cause: unknown): Error {
    return new BrokenProcessPoolError(message, cause === undefined ? undefined : { cause });
  }

  protected override checkSubmitOptions(options: SubmitOptions): void {
    if (options.transfer !== undefined && options.transfer.length > 0) {
      throw valueError(
        'options.transfer',
        'empty for a ProcessPoolExecutor (objects cannot be transferred between processes)',
        options.transfer,
      );
    }
  }
}
