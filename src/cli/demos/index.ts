/**
 * Every demo of `tsio demo`, in the order of the seed page (`asyncio-basics.txt`); `server-modes`,
 * the lesson the seed states before its first server, comes last.
 */
import { channels } from './channels.js';
import { clients } from './clients.js';
import { collect } from './collect.js';
import { awaitables, coroutines, waitList } from './coroutines.js';
import { cpu } from './cpu.js';
import type { Demo } from './demo.js';
import { future } from './future.js';
import { mapOrder, processPool } from './map-order.js';
import { runInExecutorDemo } from './run-in-executor.js';
import { serverModes } from './server-modes.js';
import { runWait, tasks, waitDemo } from './tasks.js';
import { threadPool } from './thread-pool.js';
import { toThreadDemo } from './to-thread.js';

export type { Demo, DemoContext, Timed } from './demo.js';

/** The demos in seed order. */
export const DEMOS: readonly Demo[] = [
  clients,
  tasks,
  waitDemo,
  runWait,
  future,
  threadPool,
  runInExecutorDemo,
  coroutines,
  waitList,
  awaitables,
  toThreadDemo,
  collect,
  mapOrder,
  processPool,
  cpu,
  channels,
  serverModes,
];
