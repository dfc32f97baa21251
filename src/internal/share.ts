/**
 * How objects that live in shared memory (tsio/channels) cross into pool tasks, without the pools
 * depending on the channels module.
 *
 * A shareable object implements {@link kShare}: given where it goes, it returns a small cloneable
 * descriptor (with its SharedArrayBuffers for a thread; with an id in the pool's {@link ShareHub}
 * for a child process, whose operations then run in the parent). The pool swaps each direct argument
 * that is shareable for `{ [SHARED_KEY]: descriptor }`; the worker rebuilds the object from it
 * (channels/revive.ts). When a worker holding shareables dies, the pool tells each of them
 * ({@link kWorkerDied}) so that nobody waits on it forever.
 */

import { encodeThrown, type EncodedThrown } from './error-encode.js';

/** `obj[kShare](target, hub)` -> the descriptor the worker rebuilds the object from. */
export const kShare: unique symbol = Symbol.for('tsio.share') as never;
/** `obj[kWorkerDied](info)`: a worker that held the object died without warning. */
export const kWorkerDied: unique symbol = Symbol.for('tsio.share.workerDied') as never;
/** `obj[kServe](op, args, signal)`: an operation a child process asked for, run in the parent. */
export const kServe: unique symbol = Symbol.for('tsio.share.serve') as never;
/** `obj[kThreadDied](threadId)`: a thread exited; undo its hold on the object's locks, if any. */
export const kThreadDied: unique symbol = Symbol.for('tsio.share.threadDied') as never;

/** The property name of a swapped argument (a string: symbols do not survive cloning). */
export const SHARED_KEY = '__tsioShared';

/** What the pool says about a worker that died. */
export interface WorkerDeath {
  /** `thread` or `process`. */
  readonly kind: 'thread' | 'process';
  /** The thread id of a worker thread (to find locks it held), or -1. */
  readonly threadId: number;
  /** How it ended, for messages: "crashed with exit code 1", "was terminated (timeout)". */
  readonly how: string;
}

export interface Shareable {
  [kShare](target: 'thread' | 'process', hub: ShareHub | null): unknown;
  [kWorkerDied](death: WorkerDeath): void;
  [kThreadDied](threadId: number): void;
  /** `signal` is undefined for a request that cannot be withdrawn. */
  [kServe]?(op: string, args: unknown[], signal: AbortSignal | undefined): unknown;
}

/** Every shareable object made in this thread and still alive. */
const live = new Set<WeakRef<Shareable>>();
const collected = new FinalizationRegistry<WeakRef<Shareable>>((ref) => live.delete(ref));

/** Called by each shareable object made (not rebuilt from a descriptor) in this thread. */
export function trackShareable(obj: Shareable): void {
  const ref = new WeakRef(obj);
  live.add(ref);
  collected.register(obj, ref);
}

/**
 * A worker thread exited: any lock word it still held (a thread killed inside a channel
 * operation, or a task that took a SharedLock and never released it) must not stay held forever.
 */
export function threadDied(threadId: number): void {
  if (threadId < 0) return;
  for (const ref of live) ref.deref()?.[kThreadDied](threadId);
}

export function isShareable(value: unknown): value is Shareable {
  return typeof value === 'object' && value !== null && kShare in value;
}

/** A child's request: run `op` on object `o` with `a`; `id` 0 wants no reply unless it fails. */
export interface ShareRequest {
  readonly t: 'ch';
  readonly id: number;
  readonly o: number;
  readonly op: string;
  readonly a: unknown[];
}
/** A child withdraws request `id` (its signal aborted). */
export interface ShareCancel {
  readonly t: 'chx';
  readonly id: number;
}
/** Several requests and withdrawals of one child, in order, in one IPC message. */
export interface ShareBatch {
  readonly t: 'chb';
  readonly m: readonly (ShareRequest | ShareCancel)[];
}
/** The parent's answer to request `id` (id 0: the failure of a request that wanted no reply). */
export interface ShareReply {
  readonly t: 'chr';
  readonly id: number;
  readonly o: number;
  /** 0: value, 1: error, 2: withdrawn before it completed. */
  readonly s: 0 | 1 | 2;
  readonly v: unknown;
}

interface Pending {
  readonly controller: AbortController;
  readonly owner: object;
}

/**
 * The parent side of a process pool's shared objects: an id for each object handed to a child, and
 * the operations children ask for, run on the real objects here.
 */
/** proxy.ts's operation asking when a child's operations on an object are done. */
const DRAINED = '$drained';

export class ShareHub {
  readonly #ids = new WeakMap<object, number>();
  readonly #objects = new Map<number, Shareable>();
  /** How many tasks (queued or running) have each object; initargs' objects are never released. */
  readonly #uses = new Map<number, number>();
  readonly #pending = new Map<object, Map<number, Pending>>();
  /** Per child and object: operations still running here, and who waits for them to end. */
  readonly #busy = new Map<object, Map<number, { n: number; idle: (() => void)[] }>>();
  #next = 1;

  /** The id of `obj`, for one more task that has it (see {@link ShareHub.release}). */
  register(obj: Shareable): number {
    let id = this.#ids.get(obj);
    if (id === undefined) {
      id = this.#next++;
      this.#ids.set(obj, id);
    }
    this.#objects.set(id, obj);
    this.#uses.set(id, (this.#uses.get(id) ?? 0) + 1);
    return id;
  }

  /** A task that had `obj` is over: the hub forgets it when no task has it any more. */
  release(obj: Shareable): void {
    const id = this.#ids.get(obj);
    if (id === undefined) return;
    const uses = (this.#uses.get(id) ?? 1) - 1;
    if (uses > 0) {
      this.#uses.set(id, uses);
    } else {
      this.#uses.delete(id);
      this.#objects.delete(id);
    }
  }

  /** Runs a child's request for worker `owner`; `reply` sends the answer back to it. */
  handle(owner: object, m: ShareRequest | ShareCancel, reply: (r: ShareReply) => void): void {
    let mine = this.#pending.get(owner);
    if (m.t === 'chx') {
      mine?.get(m.id)?.controller.abort();
      return;
    }
    if (m.op === DRAINED) {
      // Resolves once this child's earlier operations on the object are done (not other
      // producers': a task waits only for its own puts).
      const entry = this.#busy.get(owner)?.get(m.o);
      const done = (): void => reply({ t: 'chr', id: m.id, o: m.o, s: 0, v: undefined });
      if (entry === undefined) done();
      else entry.idle.push(done);
      return;
    }
    const obj = this.#objects.get(m.o);
    const fail = (error: unknown): void => {
      reply({ t: 'chr', id: m.id, o: m.o, s: 1, v: encodeThrown(error) });
    };
    if (obj === undefined || obj[kServe] === undefined) {
      fail(
        new Error(
          `tsio: channel ${m.o} is no longer reachable from this process: a task reaches the ` +
            'channels it was given while it runs (keep one for longer by passing it in initargs).',
        ),
      );
      return;
    }
    // A request that wants no reply cannot be withdrawn: it needs no controller.
    const controller = m.id === 0 ? null : new AbortController();
    let result: unknown;
    try {
      result = obj[kServe](m.op, m.a, controller?.signal);
    } catch (error) {
      fail(error);
      return;
    }
    if (!(result instanceof Promise)) {
      if (m.id !== 0) reply({ t: 'chr', id: m.id, o: m.o, s: 0, v: result });
      return;
    }
    const end = this.#start(owner, m.o);
    if (m.id === 0) {
      // The failure goes out before the end, so a child waiting for its operations to end
      // has heard of it by then.
      result.then(end, (error: unknown) => {
        fail(error);
        end();
      });
      return;
    }
    if (mine === undefined) this.#pending.set(owner, (mine = new Map<number, Pending>()));
    const table = mine;
    table.set(m.id, { controller: controller!, owner });
    result.then(
      (value: unknown) => {
        table.delete(m.id);
        reply({ t: 'chr', id: m.id, o: m.o, s: 0, v: value });
        end();
      },
      (error: unknown) => {
        table.delete(m.id);
        if (controller!.signal.aborted) reply({ t: 'chr', id: m.id, o: m.o, s: 2, v: undefined });
        else fail(error);
        end();
      },
    );
  }

  /** Counts an operation of `owner` on object `o` running here; returns what ends it. */
  #start(owner: object, o: number): () => void {
    let mine = this.#busy.get(owner);
    if (mine === undefined) {
      this.#busy.set(owner, (mine = new Map<number, { n: number; idle: (() => void)[] }>()));
    }
    let entry = mine.get(o);
    if (entry === undefined) mine.set(o, (entry = { n: 0, idle: [] }));
    entry.n++;
    const table = mine;
    const e = entry;
    return () => {
      if (--e.n > 0) return;
      table.delete(o);
      if (table.size === 0) this.#busy.delete(owner);
      for (const done of e.idle) done();
    };
  }

  /** A child is gone: its waiting operations are withdrawn (nobody would read their answer). */
  workerGone(owner: object): void {
    this.#busy.delete(owner);
    const mine = this.#pending.get(owner);
    if (mine === undefined) return;
    this.#pending.delete(owner);
    for (const p of mine.values()) p.controller.abort();
  }

  /** The pool shut down: forget every object. */
  clear(): void {
    for (const owner of [...this.#pending.keys()]) this.workerGone(owner);
    this.#objects.clear();
    this.#uses.clear();
  }
}

export type { EncodedThrown };
