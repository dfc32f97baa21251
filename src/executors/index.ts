/**
 * tsio/executors: Python's `concurrent.futures` for Node. `ThreadPoolExecutor` (worker_threads)
 * and `ProcessPoolExecutor` (child processes) implement one {@link Executor} interface and return
 * the core `Future`, so `gather`, `wait` and `asCompleted` take their futures as they are.
 *
 * @module
 */

export type {
  Executor,
  ExecutorStats,
  MapOptions,
  ShutdownOptions,
  SubmitOptions,
  Transferable,
} from './executor.js';
export { ExecutorFuture, type PoolOptions } from './pool.js';
export { ThreadPoolExecutor, type ThreadPoolOptions } from './thread-pool.js';
export { ProcessPoolExecutor, type ProcessPoolOptions } from './process-pool.js';
export { defineTask, importTask, isTaskRef, type TaskRef, type AnyFunction } from './task-ref.js';
export { taskSignal } from './worker-context.js';
export type { Percentiles } from '../internal/histogram.js';
export {
  WorkerCrashedError,
  BrokenExecutorError,
  BrokenThreadPoolError,
  BrokenProcessPoolError,
} from '../errors.js';
