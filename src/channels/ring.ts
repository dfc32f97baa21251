/**
 * The shared-memory core of every tsio channel: a bounded ring of variable-length messages in a
 * SharedArrayBuffer that any number of threads put into and get from.
 *
 * Layout: a header of Int32 words, then `capacity` bytes of frames. A frame is a u32 length and the
 * message bytes, padded to 8 bytes, so the length never wraps (the bytes may). A short spin lock
 * (the owner's thread id + 1, so that the pool can tell whether a dead worker held it) guards the
 * header; the bytes are copied under it and published last. Waiting is on two sequence words,
 * `SEQ_PUT` (bumped by every put) and `SEQ_GET` (by every get): a waiter reads the sequence before it
 * looks, and sleeps (`Atomics.wait`, or `Atomics.waitAsync` on an event loop) only if it has not
 * moved, so no wake-up is lost; putters notify only when someone waits.
 */

import { threadId } from 'node:worker_threads';
import { hold, unhold } from './keep-alive.js';

const LOCK = 0;
const HEAD = 1;
const TAIL = 2;
const COUNT = 3;
const USED = 4;
const STATE = 5;
export const SEQ_PUT = 6;
export const SEQ_GET = 7;
const MAXSIZE = 8;
const WAIT_GET = 9;
const WAIT_PUT = 10;
const CAPACITY = 11;
const HEADER_BYTES = 64;

/** STATE bits. */
export const SHUTDOWN = 1;
/** The writing end of a pipe is closed (EOF once drained). */
export const W_CLOSED = 2;
/** The reading end of a pipe is closed (sends fail). */
export const R_CLOSED = 4;
/** A worker died holding the ring: nothing can be trusted. */
export const BROKEN = 8;
/** The end was closed because its worker crashed (for messages). */
export const W_CRASHED = 16;
export const R_CRASHED = 32;

/** tryPut results. */
export const PUT_OK = 0;
export const PUT_FULL = 1;
export const PUT_REFUSED = 2;
/** tryGet results below zero. */
export const GET_EMPTY = -1;
export const GET_BROKEN = -2;

const ME = threadId + 1;

type WaitAsyncResult =
  | { async: false; value: 'not-equal' | 'timed-out' }
  | { async: true; value: Promise<'ok' | 'timed-out'> };

/** `Atomics.waitAsync` (Node 16+; typed in lib es2024, which the project does not target). */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync: (i32: Int32Array, index: number, value: number, ms?: number) => WaitAsyncResult;
  }
).waitAsync;

/** Bytes a frame of `length` message bytes takes. */
export function frameSize(length: number): number {
  return (length + 4 + 7) & ~7;
}

/** The largest message a ring of `capacity` bytes can hold. */
export function maxMessage(capacity: number): number {
  return capacity - 4;
}

let scratch = Buffer.allocUnsafeSlow(4096);

export class Ring {
  readonly sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #u32: Uint32Array;
  readonly #data: Uint8Array;
  readonly capacity: number;

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.#i32 = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.capacity = this.#i32[CAPACITY]!;
    this.#data = new Uint8Array(sab, HEADER_BYTES, this.capacity);
    this.#u32 = new Uint32Array(sab, HEADER_BYTES, this.capacity / 4);
  }

  /** A new ring of `capacity` bytes (rounded up to 8) holding at most `maxsize` messages (0: any). */
  static create(capacity: number, maxsize: number): Ring {
    const cap = Math.max(64, (capacity + 7) & ~7);
    const sab = new SharedArrayBuffer(HEADER_BYTES + cap);
    const i32 = new Int32Array(sab, 0, HEADER_BYTES / 4);
    i32[CAPACITY] = cap;
    i32[MAXSIZE] = maxsize;
    return new Ring(sab);
  }

  get maxsize(): number {
    return this.#i32[MAXSIZE]!;
  }

  lock(): void {
    const i32 = this.#i32;
    if (Atomics.compareExchange(i32, LOCK, 0, ME) === 0) return;
    let spins = 0;
    for (;;) {
      const cur = Atomics.load(i32, LOCK);
      if (cur === 0) {
        if (Atomics.compareExchange(i32, LOCK, 0, ME) === 0) return;
      } else if (cur === ME) {
        throw new Error('tsio: a channel lock was taken twice by the same thread.');
      } else if (++spins > 64) {
        // The holder is descheduled (or dead, until the pool breaks the ring): sleep a little.
        Atomics.wait(i32, LOCK, cur, 0.02);
      }
    }
  }

  unlock(): void {
    Atomics.store(this.#i32, LOCK, 0);
  }

  state(): number {
    return Atomics.load(this.#i32, STATE);
  }

  count(): number {
    return Atomics.load(this.#i32, COUNT);
  }

  /** Bytes free for frames. */
  free(): number {
    return this.capacity - Atomics.load(this.#i32, USED);
  }

  seq(which: typeof SEQ_PUT | typeof SEQ_GET): number {
    return Atomics.load(this.#i32, which);
  }

  /** True when a put of `length` bytes would have to wait for room (or for the count). */
  wouldBlock(length: number): boolean {
    const i32 = this.#i32;
    const max = i32[MAXSIZE]!;
    return (
      (max > 0 && Atomics.load(i32, COUNT) >= max) ||
      this.capacity - Atomics.load(i32, USED) < frameSize(length)
    );
  }

  /** Sets state bits (under the lock) and wakes every waiter so that they look again. */
  setState(bits: number, clear = false): void {
    this.lock();
    const i32 = this.#i32;
    if (clear) {
      i32[HEAD] = 0;
      i32[TAIL] = 0;
      Atomics.store(i32, COUNT, 0);
      Atomics.store(i32, USED, 0);
    }
    Atomics.or(i32, STATE, bits);
    this.unlock();
    this.wakeAll();
  }

  /**
   * Marks the ring broken after the death of the thread `deadOwner` (+1), freeing the lock if the
   * dead thread held it, and wakes everyone.
   */
  breakFor(deadOwner: number, bits: number): void {
    const i32 = this.#i32;
    // A thread killed inside an operation may have left the ring half-updated: broken.
    const held = deadOwner > 0 && Atomics.compareExchange(i32, LOCK, deadOwner, 0) === deadOwner;
    this.setState(held ? bits | BROKEN : bits);
  }

  /** A thread exited: if it held the lock it died inside an operation, so the ring is broken. */
  threadDied(threadId: number): void {
    if (Atomics.load(this.#i32, LOCK) === threadId + 1) this.breakFor(threadId + 1, BROKEN);
  }

  wakeAll(): void {
    Atomics.add(this.#i32, SEQ_PUT, 1);
    Atomics.add(this.#i32, SEQ_GET, 1);
    Atomics.notify(this.#i32, SEQ_PUT);
    Atomics.notify(this.#i32, SEQ_GET);
  }

  /**
   * Puts a message of `length` bytes from `bytes` unless the state has one of `refuse` bits
   * (PUT_REFUSED) or there is no room (PUT_FULL).
   */
  tryPut(bytes: Uint8Array, length: number, refuse: number): number {
    const i32 = this.#i32;
    const size = frameSize(length);
    this.lock();
    if (i32[STATE]! & refuse) {
      this.unlock();
      return PUT_REFUSED;
    }
    const max = i32[MAXSIZE]!;
    const cap = this.capacity;
    if ((max > 0 && i32[COUNT]! >= max) || cap - i32[USED]! < size) {
      this.unlock();
      return PUT_FULL;
    }
    const tail = i32[TAIL]!;
    this.#u32[tail >> 2] = length;
    let p = tail + 4;
    if (p === cap) p = 0;
    const first = Math.min(length, cap - p);
    this.#data.set(bytes.subarray(0, first), p);
    if (length > first) this.#data.set(bytes.subarray(first, length), 0);
    const next = tail + size;
    i32[TAIL] = next >= cap ? next - cap : next;
    Atomics.add(i32, USED, size);
    Atomics.add(i32, COUNT, 1);
    this.unlock();
    Atomics.add(i32, SEQ_PUT, 1);
    if (Atomics.load(i32, WAIT_GET) > 0) Atomics.notify(i32, SEQ_PUT, 1);
    return PUT_OK;
  }

  /**
   * Takes the oldest message: returns its length (its bytes are at the start of {@link Ring.bytes})
   * or GET_EMPTY, or GET_BROKEN.
   */
  tryGet(): number {
    const i32 = this.#i32;
    this.lock();
    if (i32[STATE]! & BROKEN) {
      this.unlock();
      return GET_BROKEN;
    }
    if (i32[COUNT] === 0) {
      this.unlock();
      return GET_EMPTY;
    }
    const cap = this.capacity;
    const head = i32[HEAD]!;
    const length = this.#u32[head >> 2]!;
    if (scratch.length < length)
      scratch = Buffer.allocUnsafeSlow(Math.max(length, scratch.length * 2));
    let p = head + 4;
    if (p === cap) p = 0;
    const first = Math.min(length, cap - p);
    scratch.set(this.#data.subarray(p, p + first), 0);
    if (length > first) scratch.set(this.#data.subarray(0, length - first), first);
    const size = frameSize(length);
    const next = head + size;
    i32[HEAD] = next >= cap ? next - cap : next;
    Atomics.sub(i32, USED, size);
    Atomics.sub(i32, COUNT, 1);
    this.unlock();
    Atomics.add(i32, SEQ_GET, 1);
    if (Atomics.load(i32, WAIT_PUT) > 0) Atomics.notify(i32, SEQ_GET, 1);
    return length;
  }

  /** The bytes of the message {@link Ring.tryGet} took last on this thread. */
  static get bytes(): Buffer {
    return scratch;
  }

  /**
   * Resolves when `SEQ_PUT`/`SEQ_GET` moves from `seen` (or at once if it already has), or rejects
   * with the signal's reason. An aborted wait wakes every waiter of that word, itself included, so
   * that no stale waiter takes a wake-up meant for a live one.
   */
  waitAsync(
    which: typeof SEQ_PUT | typeof SEQ_GET,
    seen: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const i32 = this.#i32;
    const counter = which === SEQ_PUT ? WAIT_GET : WAIT_PUT;
    Atomics.add(i32, counter, 1);
    const r = waitAsync(i32, which, seen);
    if (!r.async) {
      Atomics.sub(i32, counter, 1);
      return Promise.resolve();
    }
    hold();
    const woken = r.value.then(() => {
      Atomics.sub(i32, counter, 1);
      unhold();
    });
    if (signal === undefined) return woken;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason);
        Atomics.notify(i32, which);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void woken.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Blocks until the word moves from `seen` or `ms` pass; false on timeout. */
  waitSync(which: typeof SEQ_PUT | typeof SEQ_GET, seen: number, ms: number): boolean {
    const i32 = this.#i32;
    const counter = which === SEQ_PUT ? WAIT_GET : WAIT_PUT;
    Atomics.add(i32, counter, 1);
    const r = Atomics.wait(i32, which, seen, ms);
    Atomics.sub(i32, counter, 1);
    return r !== 'timed-out';
  }
}
