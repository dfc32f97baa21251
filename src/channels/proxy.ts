/**
 * The child-process side of a shared channel: shared memory does not cross into a process, so a
 * channel handed to a process-pool task is a proxy whose operations run in the parent (which holds
 * the real channel, see internal/share.ts's ShareHub) over the process's IPC channel. Replies come
 * back in order; a request withdrawn by its signal still waits for the parent's word, so a message
 * the parent had already taken is delivered rather than lost.
 */

import { decodeThrown } from '../internal/error-codec.js';
import type { EncodedThrown } from '../internal/error-encode.js';
import type { ShareBatch, ShareCancel, ShareReply, ShareRequest } from '../internal/share.js';
import { Deque } from '../internal/deque.js';
import { uncloneable } from './codec.js';

interface Call {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

const calls = new Map<number, Call>();
const RESOLVED = Promise.resolve();
/** Failures of requests that wanted no reply, by object id: thrown by the next call. */
const failures = new Map<number, Error>();
let nextId = 1;
let listening = false;

function onMessage(m: unknown): void {
  const r = m as ShareReply;
  if (typeof r !== 'object' || r === null || r.t !== 'chr') return;
  if (r.id === 0) {
    failures.set(r.o, decodeThrown(r.v as EncodedThrown) as Error);
    return;
  }
  const call = calls.get(r.id);
  if (call === undefined) return;
  calls.delete(r.id);
  if (r.s === 0) call.resolve(r.v);
  else if (r.s === 1) call.reject(decodeThrown(r.v as EncodedThrown));
  else call.reject(call.signal?.reason);
}

/**
 * Listens for the parent's replies from the first request on, for the life of the process (one
 * listener; the worker has its own on the same channel): the refusal of a request that wanted no
 * reply may arrive at any time, and dropping it would lose an error.
 */
function listen(): void {
  if (listening) return;
  listening = true;
  process.on('message', onMessage);
}

/**
 * Requests not sent yet: one IPC message carries all the requests made in one turn of the event
 * loop (an IPC message costs about 10 us on each side; a burst of sends would pay it per send).
 * Requests and withdrawals share the batch, so the parent sees them in the order they were made.
 */
let batch: (ShareRequest | ShareCancel)[] | null = null;
/** A batch is sent at once when it reaches this many requests. */
const MAX_BATCH = 512;

function flush(): void {
  const b = batch;
  if (b === null) return;
  batch = null;
  try {
    process.send!(b.length === 1 ? b[0] : ({ t: 'chb', m: b } satisfies ShareBatch));
  } catch {
    // The parent is gone: the disconnect ends this process.
  }
}

let flushSoon = false;

/**
 * Adds a request to the batch. A request someone waits for (`urgent`) goes out at the end of
 * this microtask queue, with the batch; others wait for the next turn of the event loop, so that
 * a burst of puts or sends shares IPC messages.
 */
function enqueue(m: ShareRequest | ShareCancel, urgent: boolean): void {
  if (batch === null) {
    batch = [m];
    setImmediate(flush);
  } else if (batch.push(m) >= MAX_BATCH) {
    flush();
    return;
  }
  if (urgent && !flushSoon) {
    flushSoon = true;
    queueMicrotask(() => {
      flushSoon = false;
      flush();
    });
  }
}

function sendRequest(m: ShareRequest, what: string, value: unknown, urgent: boolean): void {
  if (process.send === undefined || !process.connected) {
    throw new Error(`${what}: the parent process is gone.`);
  }
  // Requests carry encoded bytes or plain numbers and strings: a value that cannot be cloned
  // was refused by tsio's codec already. Anything else is checked here, not later in a batch.
  if (m.a.some((x) => typeof x === 'object' && x !== null && !ArrayBuffer.isView(x))) {
    try {
      structuredClone(m.a);
    } catch (error) {
      throw uncloneable(what, value, error);
    }
  }
  enqueue(m, urgent);
}

/** Throws (once) the failure of an earlier fire-and-forget request on object `o`, if any. */
export function throwPending(o: number): void {
  const e = failures.get(o);
  if (e === undefined) return;
  failures.delete(o);
  throw e;
}

/** Runs `op` on object `o` in the parent; resolves with its value. */
export function request(
  o: number,
  op: string,
  args: unknown[],
  what: string,
  signal?: AbortSignal,
): Promise<unknown> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  try {
    return start(o, op, args, what, signal, true);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Sends a request (throws if it cannot be sent: a value that cannot be cloned) and its reply. */
function start(
  o: number,
  op: string,
  args: unknown[],
  what: string,
  signal: AbortSignal | undefined,
  urgent: boolean,
): Promise<unknown> {
  const id = nextId++;
  sendRequest({ t: 'ch', id, o, op, a: args }, what, args[0], urgent);
  listen();
  return new Promise<unknown>((resolve, reject) => {
    let onAbort: (() => void) | null = null;
    if (signal !== undefined) {
      onAbort = () => {
        try {
          enqueue({ t: 'chx', id }, true);
        } catch {
          // The parent is gone: the disconnect ends this process.
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
    calls.set(id, {
      resolve: (v) => {
        if (onAbort !== null) signal!.removeEventListener('abort', onAbort);
        resolve(v);
      },
      reject: (e) => {
        if (onAbort !== null) signal!.removeEventListener('abort', onAbort);
        reject(e);
      },
      signal,
    });
  });
}

/** Pipelined requests per object: how many were sent, and up to which one the parent has done. */
interface Window {
  sent: number;
  acked: number;
  readonly waiting: Deque<{ readonly seq: number; readonly resolve: () => void }>;
}
const windows = new Map<number, Window>();
/** How many pipelined requests an object may have in flight before the next caller waits. */
const WINDOW = 512;
/** Every this many pipelined requests, one asks for a reply (which acknowledges those before). */
const MARK_EVERY = 64;

function windowOf(o: number): Window {
  let w = windows.get(o);
  if (w === undefined) windows.set(o, (w = { sent: 0, acked: 0, waiting: new Deque() }));
  return w;
}

function ack(w: Window, seq: number): void {
  if (seq > w.acked) w.acked = seq;
  while (w.waiting.length > 0 && w.waiting.at(0)!.seq - w.acked <= WINDOW) {
    w.waiting.shift()!.resolve();
  }
}

/**
 * Runs `op` on object `o` in the parent (throws at once if the value cannot be sent) and resolves as soon as at most {@link WINDOW} such
 * requests are unacknowledged, instead of after a round trip: a producer in a child process
 * streams at the speed of the IPC channel, and still waits (backpressure) when the parent's queue
 * stays full. The parent runs them in order, in one FIFO per channel, so the reply to a marked
 * request acknowledges every earlier one; a failure is thrown by the object's next call.
 */
export function pipelined(
  o: number,
  op: string,
  args: unknown[],
  what: string,
  wait = true,
): Promise<void> {
  const w = windowOf(o);
  const seq = w.sent + 1;
  if (seq % MARK_EVERY === 0) {
    const done = start(o, op, args, what, undefined, false);
    w.sent = seq;
    done.then(
      () => ack(w, seq),
      (error: unknown) => {
        failures.set(o, error as Error);
        ack(w, seq);
      },
    );
  } else {
    post(o, op, args, what);
    w.sent = seq;
  }
  // A caller that does not wait (a pipe's send: the parent keeps what does not fit in the
  // sending end's outbox) gets no promise of its own.
  if (seq - w.acked <= WINDOW || !wait) return RESOLVED;
  return new Promise<void>((resolve) => w.waiting.push({ seq, resolve }));
}

/**
 * Resolves when every pipelined request on object `o` is done in the parent (the hub answers
 * {@link DRAINED} once this process's operations on the object have ended).
 */
export async function whenIdle(o: number): Promise<void> {
  const w = windows.get(o);
  if (w === undefined || w.sent === w.acked) return;
  const seq = w.sent;
  await request(o, DRAINED, [], 'drain').catch((error: unknown) => {
    failures.set(o, error as Error);
  });
  ack(w, seq);
}

/** The operation the parent's hub answers once this process's operations on the object are done. */
export const DRAINED = '$drained';

/** Operations posted once earlier ones land (a shutdown after the puts before it). */
const deferred = new Set<Promise<void>>();

/** Posts `op` on object `o` once every pipelined request before it is done in the parent. */
export function postAfter(o: number, op: string, args: unknown[], what: string): void {
  const p = whenIdle(o).then(() => {
    try {
      void pipelined(o, op, args, what, false);
    } catch {
      // The parent is gone, and the channel with it.
    }
  });
  deferred.add(p);
  void p.then(() => deferred.delete(p));
}

/**
 * Resolves when every pipelined and deferred operation of this process is done in the parent:
 * the worker waits for it before it reports a task done, so a task's puts and its shutdown
 * reach the parent before its result. Rejects with a failure no call has reported yet.
 */
export async function settled(): Promise<void> {
  for (;;) {
    const busy: Promise<void>[] = [...deferred];
    for (const [o, w] of windows) if (w.sent !== w.acked) busy.push(whenIdle(o));
    if (busy.length === 0) break;
    await Promise.all(busy);
  }
  // A pipelined operation that failed and that no later call reported fails its task, rather
  // than a later task in this process.
  for (const error of failures.values()) {
    failures.clear();
    throw error;
  }
}

/** Runs `op` on object `o` in the parent without waiting; a failure is thrown by the next call. */
function post(o: number, op: string, args: unknown[], what: string): void {
  sendRequest({ t: 'ch', id: 0, o, op, a: args }, what, args[0], false);
  listen();
}

/** A task starts: failures left by earlier tasks' operations are theirs, not its. */
export function beginTask(): void {
  failures.clear();
}

/** The error of a synchronous call a proxy cannot make. */
export function notInProcess(what: string, instead: string): Error {
  return new Error(
    `${what} is not available in a child process: the channel lives in the parent's shared ` +
      `memory and a child reaches it by messages, which take time. ${instead}`,
  );
}
