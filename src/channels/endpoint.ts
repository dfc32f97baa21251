/**
 * One thread's side of a ring: the waiting puts and gets of this thread, in the order they were
 * made (so a thread's messages keep their order and its getters are served first come, first
 * served), pumped by one async loop each; and the blocking forms for worker threads.
 */

import { isMainThread } from 'node:worker_threads';
import { TimeoutError } from '../errors.js';
import { Deque } from '../internal/deque.js';
import { decode } from './codec.js';
import { BROKEN, GET_BROKEN, PUT_FULL, PUT_OK, Ring, SEQ_GET, SEQ_PUT, frameSize } from './ring.js';

const RESOLVED = Promise.resolve();

function noop(): void {}

interface PendingPut {
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  done: boolean;
  onAbort: (() => void) | null;
  signal: AbortSignal | undefined;
}

interface PendingGet {
  /** Wants the message's bytes (for a child process, which decodes them itself). */
  readonly raw: boolean;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  done: boolean;
  onAbort: (() => void) | null;
  signal: AbortSignal | undefined;
}

/** What a channel says about its state: an error when its state refuses the operation. */
export interface EndRules {
  /** State bits that refuse a put. */
  readonly refuse: number;
  /** The error for a refused put (state has a `refuse` bit). */
  putError(state: number): Error;
  /** When the ring is empty: the error that ends gets in this state, or null to wait. */
  endError(state: number): Error | null;
  /** The error for a message of `length` bytes that can never fit in `capacity` bytes. */
  tooBig(length: number, capacity: number): Error;
}

/** Settles a waiting put; false if it was already settled. */
function settlePut(p: PendingPut, error?: unknown): boolean {
  if (p.done) return false;
  p.done = true;
  if (p.onAbort !== null) p.signal!.removeEventListener('abort', p.onAbort);
  if (error === undefined) p.resolve();
  else p.reject(error);
  return true;
}

/** Settles a waiting get; false if it was already settled. */
function settleGet(g: PendingGet, value: unknown, error?: unknown): boolean {
  if (g.done) return false;
  g.done = true;
  if (g.onAbort !== null) g.signal!.removeEventListener('abort', g.onAbort);
  if (error === undefined) g.resolve(value);
  else g.reject(error);
  return true;
}

export function checkBlockingAllowed(what: string): void {
  if (isMainThread) {
    throw new Error(
      `${what} blocks its thread, so it is only for worker threads: on the main thread it would ` +
        'freeze the event loop (and the pools it serves). Use the awaitable form instead.',
    );
  }
}

function deadline(timeout: number | undefined): number {
  return timeout === undefined || timeout === Infinity ? Infinity : performance.now() + timeout;
}

/** The message {@link Ring.tryGet} just took: decoded, or a copy of its bytes. */
function taken(length: number, raw: boolean): unknown {
  return raw ? Uint8Array.prototype.slice.call(Ring.bytes, 0, length) : decode(Ring.bytes, length);
}

/** Endpoints of this thread with puts still waiting for room. */
const unsettled = new Set<Endpoint>();

/**
 * Writes what the waiting puts of this thread can write now, without waiting: a thread about to
 * block in a `...Sync` call cannot run its async pumps, and its outbox must still reach the
 * other side (or a request/reply loop over a pipe deadlocks). True if some are still waiting.
 */
export function flushOutboxes(): boolean {
  let waiting = false;
  for (const end of unsettled) if (!end.flushNow()) waiting = true;
  return waiting;
}

/** How long a blocking call sleeps at a time while this thread's outbox still waits for room. */
const OUTBOX_POLL_MS = 1;

/** Resolves when every put queued in this thread (a pipe's outbox included) is in its ring. */
export function allDrained(): Promise<void> {
  if (unsettled.size === 0) return Promise.resolve();
  return Promise.all([...unsettled].map((e) => e.drained())).then(() => undefined);
}

export class Endpoint {
  readonly #ring: Ring;
  readonly #rules: EndRules;
  readonly #puts = new Deque<PendingPut>();
  readonly #gets = new Deque<PendingGet>();
  #pumpingPuts = false;
  #pumpingGets = false;
  /** Waiting puts and gets not settled yet (the FIFOs may still hold settled ones). */
  #livePuts = 0;
  #liveGets = 0;
  #drained: (() => void)[] = [];

  constructor(ring: Ring, rules: EndRules) {
    this.#ring = ring;
    this.#rules = rules;
  }

  get ring(): Ring {
    return this.#ring;
  }

  /** Puts waiting in this thread. */
  get pendingPuts(): number {
    return this.#livePuts;
  }

  #putDone(p: PendingPut, error?: unknown): void {
    if (settlePut(p, error)) this.#livePuts--;
  }

  #getDone(g: PendingGet, value: unknown, error?: unknown): void {
    if (settleGet(g, value, error)) this.#liveGets--;
  }

  /**
   * Puts the encoded message now if it fits and nothing of this thread waits before it; else
   * queues a copy. Returns a promise settled when it is in the ring (or refused).
   */
  put(bytes: Uint8Array, length: number, signal: AbortSignal | undefined): Promise<void> {
    const ring = this.#ring;
    if (frameSize(length) > ring.capacity) {
      return Promise.reject(this.#rules.tooBig(length, ring.capacity));
    }
    if (this.#livePuts === 0) {
      const r = ring.tryPut(bytes, length, this.#rules.refuse);
      if (r === PUT_OK) return RESOLVED;
      if (r !== PUT_FULL) return Promise.reject(this.#rules.putError(ring.state()));
    }
    return new Promise<void>((resolve, reject) => {
      const p: PendingPut = {
        bytes: Buffer.from(bytes.subarray(0, length)),
        resolve,
        reject,
        done: false,
        onAbort: null,
        signal,
      };
      if (signal !== undefined) {
        p.onAbort = () => {
          p.onAbort = null;
          this.#putDone(p, signal.reason);
          // Wake the pump (and every other waiter of the word, who simply look again).
          ring.wakeAll();
        };
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.#puts.push(p);
      this.#livePuts++;
      if (!this.#pumpingPuts) void this.#pumpPuts();
    });
  }

  /**
   * Queues a copy of a message for a put that nobody awaits (a pipe's outbox): no promise per
   * message. A later refusal (the other end closed) drops it.
   */
  enqueue(bytes: Uint8Array, length: number): void {
    this.#puts.push({
      bytes: Buffer.from(bytes.subarray(0, length)),
      resolve: noop,
      reject: noop,
      done: false,
      onAbort: null,
      signal: undefined,
    });
    this.#livePuts++;
    if (!this.#pumpingPuts) void this.#pumpPuts();
  }

  /** Resolves when every put this thread queued is in the ring (or was refused). */
  drained(): Promise<void> {
    if (this.#livePuts === 0) return RESOLVED;
    return new Promise<void>((resolve) => this.#drained.push(resolve));
  }

  /** Puts what fits now, in order; true when no put of this thread waits any more. */
  flushNow(): boolean {
    const ring = this.#ring;
    const puts = this.#puts;
    while (puts.length > 0) {
      const p = puts.at(0)!;
      if (p.done) {
        puts.shift();
        continue;
      }
      const r = ring.tryPut(p.bytes, p.bytes.length, this.#rules.refuse);
      if (r === PUT_FULL) return false;
      puts.shift();
      if (r === PUT_OK) this.#putDone(p);
      else this.#putDone(p, this.#rules.putError(ring.state()));
    }
    return true;
  }

  async #pumpPuts(): Promise<void> {
    this.#pumpingPuts = true;
    unsettled.add(this);
    const ring = this.#ring;
    const puts = this.#puts;
    try {
      while (puts.length > 0) {
        const p = puts.at(0)!;
        if (p.done) {
          puts.shift();
          continue;
        }
        const seen = ring.seq(SEQ_GET);
        const r = ring.tryPut(p.bytes, p.bytes.length, this.#rules.refuse);
        if (r === PUT_OK) {
          puts.shift();
          this.#putDone(p);
          continue;
        }
        if (r !== PUT_FULL) {
          const error = this.#rules.putError(ring.state());
          for (let q = puts.shift(); q !== undefined; q = puts.shift()) this.#putDone(q, error);
          break;
        }
        await ring.waitAsync(SEQ_GET, seen);
      }
    } finally {
      this.#pumpingPuts = false;
      unsettled.delete(this);
      const waiting = this.#drained;
      this.#drained = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Takes a message now if one is there and nothing of this thread waits before: [value] or null. */
  tryGetNow(raw = false): [unknown] | null {
    if (this.#liveGets > 0) return null;
    const length = this.#ring.tryGet();
    if (length >= 0) return [taken(length, raw)];
    if (length === GET_BROKEN) throw this.#rules.putError(this.#ring.state() | BROKEN);
    return null;
  }

  /** The error that ends gets now (empty and ended), or null. */
  endError(): Error | null {
    const state = this.#ring.state();
    if (state & BROKEN) return this.#rules.putError(state);
    return this.#rules.endError(state);
  }

  /** The next message (its bytes with `raw`), waiting for one. */
  get(signal: AbortSignal | undefined, raw = false): Promise<unknown> {
    if (this.#liveGets === 0) {
      let now: [unknown] | null;
      try {
        now = this.tryGetNow(raw);
      } catch (error) {
        return Promise.reject(error);
      }
      if (now !== null) return Promise.resolve(now[0]);
      const end = this.endError();
      // The state may have ended just after the look: look once more before failing.
      if (end !== null) {
        try {
          now = this.tryGetNow(raw);
        } catch (error) {
          return Promise.reject(error);
        }
        return now !== null ? Promise.resolve(now[0]) : Promise.reject(end);
      }
    }
    const ring = this.#ring;
    return new Promise<unknown>((resolve, reject) => {
      const g: PendingGet = { raw, resolve, reject, done: false, onAbort: null, signal };
      if (signal !== undefined) {
        g.onAbort = () => {
          g.onAbort = null;
          this.#getDone(g, undefined, signal.reason);
          ring.wakeAll();
        };
        signal.addEventListener('abort', g.onAbort, { once: true });
      }
      this.#gets.push(g);
      this.#liveGets++;
      if (!this.#pumpingGets) void this.#pumpGets();
    });
  }

  async #pumpGets(): Promise<void> {
    this.#pumpingGets = true;
    const ring = this.#ring;
    const gets = this.#gets;
    try {
      while (gets.length > 0) {
        const g = gets.at(0)!;
        if (g.done) {
          gets.shift();
          continue;
        }
        const seen = ring.seq(SEQ_PUT);
        const length = ring.tryGet();
        if (length >= 0) {
          gets.shift();
          let value: unknown;
          try {
            value = taken(length, g.raw);
          } catch (error) {
            this.#getDone(g, undefined, error);
            continue;
          }
          this.#getDone(g, value);
          continue;
        }
        const end =
          length === GET_BROKEN ? this.#rules.putError(ring.state() | BROKEN) : this.endError();
        if (end !== null) {
          for (let q = gets.shift(); q !== undefined; q = gets.shift()) {
            this.#getDone(q, undefined, end);
          }
          break;
        }
        await ring.waitAsync(SEQ_PUT, seen);
      }
    } finally {
      this.#pumpingGets = false;
    }
  }

  /** True when a get would find a message now. */
  ready(): boolean {
    return this.#ring.count() > 0;
  }

  /** Resolves true when a message is there, false after `ms` (a peek: takes nothing). */
  async waitReadable(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    const ring = this.#ring;
    const until = deadline(ms);
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    if (until !== Infinity) {
      timer = setTimeout(() => {
        timedOut = true;
        ring.wakeAll();
      }, ms);
    }
    try {
      for (;;) {
        signal?.throwIfAborted();
        const seen = ring.seq(SEQ_PUT);
        if (ring.count() > 0) return true;
        if (timedOut || this.endError() !== null) return false;
        await ring.waitAsync(SEQ_PUT, seen, signal);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Blocking put (worker threads): false on timeout. */
  putSync(bytes: Uint8Array, length: number, timeout: number | undefined): void {
    const ring = this.#ring;
    if (frameSize(length) > ring.capacity) throw this.#rules.tooBig(length, ring.capacity);
    const until = deadline(timeout);
    for (;;) {
      const seen = ring.seq(SEQ_GET);
      const r = ring.tryPut(bytes, length, this.#rules.refuse);
      if (r === PUT_OK) return;
      if (r !== PUT_FULL) throw this.#rules.putError(ring.state());
      const left = until - performance.now();
      const slice = flushOutboxes() ? Math.min(left, OUTBOX_POLL_MS) : left;
      if (left <= 0 || !ring.waitSync(SEQ_GET, seen, slice)) {
        if (performance.now() >= until) throw new TimeoutError(`No room within ${timeout} ms.`);
      }
    }
  }

  /** Blocking get (worker threads). */
  getSync(timeout: number | undefined): unknown {
    const ring = this.#ring;
    const until = deadline(timeout);
    for (;;) {
      const seen = ring.seq(SEQ_PUT);
      const length = ring.tryGet();
      if (length >= 0) return decode(Ring.bytes, length);
      if (length === GET_BROKEN) throw this.#rules.putError(ring.state() | BROKEN);
      const end = this.endError();
      if (end !== null) {
        const last = ring.tryGet();
        if (last >= 0) return decode(Ring.bytes, last);
        throw end;
      }
      const left = until - performance.now();
      const slice = flushOutboxes() ? Math.min(left, OUTBOX_POLL_MS) : left;
      if (left <= 0 || !ring.waitSync(SEQ_PUT, seen, slice)) {
        if (performance.now() >= until) {
          throw new TimeoutError(`Nothing arrived within ${timeout} ms.`);
        }
      }
    }
  }

  /** Rejects every waiting get and put of this thread with `error` (this end was closed). */
  failAll(error: Error): void {
    for (let g = this.#gets.shift(); g !== undefined; g = this.#gets.shift()) {
      this.#getDone(g, undefined, error);
    }
    for (let p = this.#puts.shift(); p !== undefined; p = this.#puts.shift()) {
      this.#putDone(p, error);
    }
  }
}
