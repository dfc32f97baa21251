/**
 * The messages between a pool (main side) and its workers (worker side), shared by both pools.
 *
 * Work travels in batches: one `run` message carries many tasks as a flat array, and one `done`
 * message carries many results. A function is defined once per worker (`defs`) and then referred
 * to by its numeric key.
 */

import type { EncodedThrown } from '../internal/error-encode.js';
import type { ShareBatch, ShareCancel, ShareReply, ShareRequest } from '../internal/share.js';

/** How a worker gets a function: compiled from source, or imported from a module. */
export type FnDef =
  | readonly [key: number, kind: typeof DEF_SOURCE, expression: string]
  | readonly [key: number, kind: typeof DEF_MODULE, url: string, name: string];

export const DEF_SOURCE = 0;
export const DEF_MODULE = 1;

/** Task flags. */
export const FLAG_NOTIFY = 1; // post `started` before running (the main side times it)
export const FLAG_MAP = 2; // args[0] is a chunk of items: call fn on each, return the array
export const FLAG_SOURCE = 4; // the function was shipped as source (hint on ReferenceError)
export const FLAG_SHARED = 8; // some direct arguments are channels or shared objects to rebuild

/** Shared slot states of a task handed to a thread (an Int32Array over a SharedArrayBuffer). */
export const SLOT_FREE = 0;
export const SLOT_QUEUED = 1;
export const SLOT_RUNNING = 2;
export const SLOT_CANCELLED = 3;
export const SLOT_DONE = 4;

/** Result statuses. */
export const OK = 0;
export const FAILED = 1;
export const SKIPPED = 2;

/** Fields per task in `RunMessage.tasks`: id, slot, fnKey, flags, args. */
export const TASK_FIELDS = 5;
/** Fields per result in `DoneMessage.results`: id, status, value, startedAt, runMs. */
export const RESULT_FIELDS = 5;

export interface RunMessage {
  readonly t: 'run';
  readonly defs: readonly FnDef[] | null;
  readonly tasks: unknown[];
}
export interface SkipMessage {
  readonly t: 'skip';
  readonly ids: number[];
}
export interface AbortMessage {
  readonly t: 'abort';
  readonly id: number;
  readonly reason: EncodedThrown;
}
export interface ExitMessage {
  readonly t: 'exit';
}
/** The first message to a child process (threads get it as `workerData`). */
export interface InitMessage {
  readonly t: 'init';
  readonly data: WorkerInit;
}
export type ToWorker =
  RunMessage | SkipMessage | AbortMessage | ExitMessage | InitMessage | ShareReply;

export interface ReadyMessage {
  readonly t: 'ready';
}
export interface InitErrorMessage {
  readonly t: 'initError';
  readonly error: EncodedThrown;
}
export interface DoneMessage {
  readonly t: 'done';
  readonly results: unknown[];
}
export interface StartedMessage {
  readonly t: 'started';
  readonly id: number;
}
/** Posted from the worker's `exit` handler: results not yet sent and what it was running. */
export interface ExitingMessage {
  readonly t: 'exiting';
  readonly results: unknown[];
  readonly running: number;
  readonly error: EncodedThrown | null;
  readonly code: number;
}
export type FromWorker =
  | ReadyMessage
  | InitErrorMessage
  | DoneMessage
  | StartedMessage
  | ExitingMessage
  | ShareRequest
  | ShareCancel
  | ShareBatch;

/** What a worker needs to start. */
export interface WorkerInit {
  readonly kind: 'thread' | 'process';
  readonly name: string;
  readonly slots: SharedArrayBuffer | null;
  readonly initializer: FnDef | null;
  readonly initargs: readonly unknown[];
  /** Modules to import before any user module (a TypeScript loader's registration). */
  readonly setup: readonly string[];
}
