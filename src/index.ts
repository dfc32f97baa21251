/**
 * tsio: Python's asyncio for TypeScript on Node.js.
 *
 * Futures and cancellable tasks, `gather`/`wait`/`asCompleted`/`waitFor`/`timeout`/`shield`,
 * `TaskGroup`, locks, events, conditions, semaphores, barriers and queues, with Python's semantics
 * and times in milliseconds; `toThread`/`runInExecutor` for work on threads. This entry never
 * loads `worker_threads`, `child_process` or `node:http` (the thread pool of `toThread` is loaded
 * on first use).
 *
 * @module
 */

export {
  TsioError,
  CancelledError,
  TimeoutError,
  InvalidStateError,
  BrokenBarrierError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TaskGroupError,
  WorkerCrashedError,
  ChannelClosedError,
  BrokenChannelError,
  isCancelledError,
} from './errors.js';
export { Future, isFuture, type DoneCallback } from './future.js';
export { Task, createTask, type TaskBody, type TaskOptions } from './task.js';
export { run, type RunOptions } from './run.js';
export { sleep, type SleepOptions } from './sleep.js';
export {
  gather,
  GatheringFuture,
  type GatherOptions,
  type GatherResults,
  type GatherSettled,
} from './gather.js';
export {
  wait,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  ALL_COMPLETED,
  type ReturnWhen,
  type WaitOptions,
  type WaitResult,
} from './wait.js';
export { asCompleted, type AsCompleted, type AsCompletedOptions } from './as-completed.js';
export { waitFor, type WaitForOptions, type Waitable } from './wait-for.js';
export { timeout, timeoutAt, type TimeoutOptions, type TimeoutScope } from './timeout.js';
export { shield } from './shield.js';
export { TaskGroup, type TaskGroupOptions } from './task-group.js';
export { Lock } from './lock.js';
export { Event } from './event.js';
export { Condition } from './condition.js';
export { Semaphore, BoundedSemaphore } from './semaphore.js';
export { Barrier } from './barrier.js';
export { Queue, PriorityQueue, LifoQueue, type QueueShutdownOptions } from './queue.js';
export { toThread, runInExecutor } from './to-thread.js';
export type { SignalOptions } from './options.js';
