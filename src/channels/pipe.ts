/**
 * `Pipe()`: Python's `multiprocessing.Pipe`, two connected ends over shared-memory rings.
 */

import { BrokenChannelError, ChannelClosedError } from '../errors.js';
import {
  kServe,
  kShare,
  kThreadDied,
  kWorkerDied,
  trackShareable,
  type ShareHub,
  type WorkerDeath,
} from '../internal/share.js';
import { signalOf } from '../internal/signal.js';
import {
  checkKnownKeys,
  checkOptions,
  checkTimeout,
  rangeError,
  typeError,
} from '../internal/validate.js';
import type { SignalOptions } from '../options.js';
import { copyOf, decodeBytes, encode } from './codec.js';
import { checkBlockingAllowed, Endpoint, type EndRules } from './endpoint.js';
import { notInProcess, pipelined, request, throwPending } from './proxy.js';
import { checkBlocking, checkBufferSize, type BlockingOptions } from './queue.js';
import {
  BROKEN,
  PUT_FULL,
  PUT_OK,
  R_CLOSED,
  R_CRASHED,
  Ring,
  W_CLOSED,
  W_CRASHED,
  frameSize,
} from './ring.js';

/** Options of {@link Pipe}. */
export interface PipeOptions {
  /**
   * Both ends send and receive (Python's default). With `false`, the first end only receives and
   * the second only sends, as in Python.
   * @default true
   */
  readonly duplex?: boolean | undefined;
  /**
   * Bytes of shared memory per direction for messages in flight. `send` never blocks: messages
   * that do not fit wait in the sender's outbox. A single message larger than this is a RangeError.
   * @default 1048576 (1 MiB)
   */
  readonly bufferSize?: number | undefined;
}

const BROKEN_MESSAGE =
  'The pipe is broken: a worker died while it was writing to or reading from it.';

const OUT_RULES: EndRules = {
  refuse: W_CLOSED | R_CLOSED | BROKEN,
  putError: (state) => {
    if (state & BROKEN) return new BrokenChannelError(BROKEN_MESSAGE);
    if (state & W_CLOSED) {
      return new ChannelClosedError(
        state & W_CRASHED
          ? 'This end of the pipe was closed: the worker that held it crashed.'
          : 'This end of the pipe is closed.',
      );
    }
    return new ChannelClosedError(
      state & R_CRASHED
        ? 'The other end of the pipe is closed: the worker that held it crashed.'
        : 'The other end of the pipe is closed.',
    );
  },
  endError: () => null,
  tooBig: (length, capacity) =>
    new RangeError(
      `The message takes ${length} bytes, more than this pipe's buffer of ${capacity} bytes ` +
        'can ever hold; create the pipe with a larger { bufferSize }.',
    ),
};

const IN_RULES: EndRules = {
  refuse: BROKEN,
  putError: () => new BrokenChannelError(BROKEN_MESSAGE),
  endError: (state) => {
    if (state & R_CLOSED) return new ChannelClosedError('This end of the pipe is closed.');
    if (state & W_CLOSED) {
      return new ChannelClosedError(
        state & W_CRASHED
          ? 'The other end of the pipe was closed: the worker that held it crashed.'
          : 'The other end of the pipe was closed, and every message it sent has been received.',
      );
    }
    return null;
  },
  tooBig: (length, capacity) => OUT_RULES.tooBig(length, capacity),
};

/** What a Connection becomes in a task. */
export interface ConnectionDescriptor {
  readonly k: 'conn';
  readonly in?: SharedArrayBuffer | undefined;
  readonly out?: SharedArrayBuffer | undefined;
  readonly id?: number;
  readonly r?: boolean;
  readonly w?: boolean;
  /** The sending buffer's bytes (a child checks a message's size itself). */
  readonly cap?: number;
}

let attaching: ConnectionDescriptor | null = null;

/**
 * One end of a {@link Pipe}: Python's `multiprocessing.connection.Connection`. `send` never blocks
 * (messages that do not fit in the shared buffer wait in this end's outbox, in order); `recv` waits
 * for the next message. Either end can be passed as a direct argument to a thread- or process-pool
 * task, or kept in the main thread. When one end is closed (or the worker holding it crashes), the
 * other end reads what was sent and then gets {@link ChannelClosedError}, and its sends fail.
 *
 * @example
 * ```ts
 * const [parent, child] = Pipe<string>();
 * pool.submit((conn: Connection<string>) => { conn.send('hello'); conn.close(); }, child);
 * console.log(await parent.recv()); // hello
 * ```
 */
export class Connection<T = unknown> {
  /** Makes a Connection nested in a message fail to clone (instead of arriving as a dead copy). */
  protected readonly __tsio = Symbol('tsio.Connection');
  readonly #in: Endpoint | null;
  readonly #out: Endpoint | null;
  readonly #id: number;
  readonly #readable: boolean;
  readonly #writable: boolean;
  #closing = false;
  /** A proxy's sending buffer size. */
  readonly #cap: number;

  /** @internal Use {@link Pipe}. */
  constructor() {
    const desc = attaching;
    if (desc === null) throw new TypeError('Create connections with Pipe().');
    attaching = null;
    this.#id = desc.id ?? 0;
    this.#cap = desc.cap ?? 0;
    if (desc.id !== undefined) {
      this.#in = null;
      this.#out = null;
      this.#readable = desc.r === true;
      this.#writable = desc.w === true;
    } else {
      this.#in = desc.in !== undefined ? new Endpoint(new Ring(desc.in), IN_RULES) : null;
      this.#out = desc.out !== undefined ? new Endpoint(new Ring(desc.out), OUT_RULES) : null;
      this.#readable = this.#in !== null;
      this.#writable = this.#out !== null;
    }
  }

  /** True if this end can receive (false for the sending end of a one-way pipe). */
  get readable(): boolean {
    return this.#readable;
  }

  /** True if this end can send (false for the receiving end of a one-way pipe). */
  get writable(): boolean {
    return this.#writable;
  }

  /** True once this end was closed (here or in another thread holding it). */
  get closed(): boolean {
    if (this.#closing) return true;
    if (this.#id !== 0) return false;
    return (
      ((this.#out?.ring.state() ?? 0) & W_CLOSED) !== 0 ||
      ((this.#in?.ring.state() ?? 0) & R_CLOSED) !== 0
    );
  }

  #checkOpen(): void {
    if (this.closed) throw new ChannelClosedError('This end of the pipe is closed.');
  }

  /**
   * Sends a copy of `value` to the other end. Never blocks: if the shared buffer is full the
   * message waits in this end's outbox (see {@link Connection.drain}). Throws
   * {@link ChannelClosedError} if either end is closed, a TypeError for a value that cannot be
   * copied to another thread (a function, a socket), a RangeError for a message larger than the
   * buffer.
   *
   * @example
   * ```ts
   * conn.send({ done: 3, of: 10 });
   * ```
   */
  send(value: T): void {
    if (!this.#writable) {
      throw new TypeError(
        'This end of the pipe only receives (Pipe({ duplex: false }) returns [receiver, sender]).',
      );
    }
    this.#checkOpen();
    if (this.#id !== 0) {
      throwPending(this.#id);
      // Encoded here, as in a thread: the same errors at once, and the parent copies bytes.
      const { bytes, length } = encode(value, 'Connection.send');
      if (frameSize(length) > this.#cap) throw OUT_RULES.tooBig(length, this.#cap);
      // Pipelined like a put: a refusal (the other end closed) is thrown by the next call, or
      // fails the task.
      void pipelined(this.#id, 'sendb', [copyOf(bytes, length)], 'Connection.send', false);
      return;
    }
    const { bytes, length } = encode(value, 'Connection.send');
    this.#sendBytes(bytes, length);
  }

  /** Sends an encoded message (from this thread, or from a child process through the parent). */
  #sendBytes(bytes: Uint8Array, length: number): void {
    this.#checkOpen();
    const out = this.#out!;
    if (frameSize(length) > out.ring.capacity) throw OUT_RULES.tooBig(length, out.ring.capacity);
    if (out.pendingPuts === 0) {
      const r = out.ring.tryPut(bytes, length, OUT_RULES.refuse);
      if (r === PUT_OK) return;
      if (r !== PUT_FULL) throw OUT_RULES.putError(out.ring.state());
    }
    // Full: the outbox keeps it; a failure later (the other end closed) drops what is left, as
    // a closed pipe would, and the next send throws.
    out.enqueue(bytes, length);
  }

  /**
   * Receives the next message, waiting for one. Rejects with {@link ChannelClosedError} when the
   * other end was closed (or its worker crashed) and everything it sent has been received, or this
   * end is closed; with `signal.reason` on abort (no message is taken).
   *
   * @example
   * ```ts
   * const msg = await conn.recv({ signal: AbortSignal.timeout(5000) });
   * ```
   */
  recv(options?: SignalOptions): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(options);
      this.#checkReadable();
      this.#checkOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#id !== 0)
      return request(this.#id, 'recvb', [], 'Connection.recv', signal).then(decodeBytes<T>);
    return this.#in!.get(signal) as Promise<T>;
  }

  #checkReadable(): void {
    if (!this.#readable) {
      throw new TypeError(
        'This end of the pipe only sends (Pipe({ duplex: false }) returns [receiver, sender]).',
      );
    }
  }

  /**
   * Blocking `recv` for worker threads: throws `TimeoutError` after `options.timeout` ms and
   * {@link ChannelClosedError} as `recv` rejects. Throws on the main thread and in child processes.
   *
   * @example
   * ```ts
   * // inside a ThreadPoolExecutor task
   * const job = conn.recvSync({ timeout: 1000 });
   * ```
   */
  recvSync(options?: BlockingOptions): T {
    this.#checkReadable();
    if (this.#in === null) throw notInProcess('Connection.recvSync()', 'Use await recv().');
    checkBlockingAllowed('Connection.recvSync()');
    const timeout = checkBlocking(options);
    this.#checkOpen();
    return this.#in.getSync(timeout) as T;
  }

  /**
   * True when a message is waiting (Python's `poll()` with no timeout). Not available in a child
   * process: use {@link Connection.pollAsync}.
   *
   * @example
   * ```ts
   * if (conn.poll()) handle(await conn.recv());
   * ```
   */
  poll(): boolean {
    this.#checkReadable();
    if (this.#in === null) throw notInProcess('Connection.poll()', 'Use await pollAsync().');
    this.#checkOpen();
    return this.#in.ready();
  }

  /**
   * Resolves `true` as soon as a message is waiting, `false` after `timeout` ms or when the
   * other end is closed with nothing left (Python's `poll(timeout)`). Takes nothing.
   *
   * @example
   * ```ts
   * if (await conn.pollAsync(100)) handle(await conn.recv());
   * ```
   */
  pollAsync(timeout = 0, options?: SignalOptions): Promise<boolean> {
    let signal: AbortSignal | undefined;
    try {
      checkTimeout('timeout', timeout);
      if (timeout < 0) throw rangeError('timeout', '>= 0 milliseconds', timeout);
      signal = signalOf(options);
      this.#checkReadable();
      this.#checkOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#id !== 0) {
      return request(
        this.#id,
        'poll',
        [timeout],
        'Connection.pollAsync',
        signal,
      ) as Promise<boolean>;
    }
    return this.#in!.waitReadable(timeout, signal);
  }

  /**
   * Resolves when every message this end queued in its outbox is in the shared buffer (at once
   * if none). A worker task that sends a lot should await it before it returns.
   *
   * @example
   * ```ts
   * for (const row of rows) conn.send(row);
   * await conn.drain();
   * ```
   */
  drain(): Promise<void> {
    if (this.#id !== 0) return request(this.#id, 'drain', [], 'Connection.drain') as Promise<void>;
    return this.#out?.drained() ?? Promise.resolve();
  }

  /**
   * Closes this end (idempotent). Messages still in the outbox are delivered first; then the other
   * end's `recv` rejects with {@link ChannelClosedError} once it has read everything, and its
   * `send` throws. Waiting receives on this end reject.
   *
   * @example
   * ```ts
   * try { for (const x of work) conn.send(x); } finally { conn.close(); }
   * ```
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#id !== 0) {
      void pipelined(this.#id, 'close', [], 'Connection.close', false);
      return;
    }
    const input = this.#in;
    if (input !== null) {
      input.ring.setState(R_CLOSED);
      input.failAll(new ChannelClosedError('This end of the pipe was closed.'));
    }
    const out = this.#out;
    if (out !== null) {
      if (out.pendingPuts === 0) out.ring.setState(W_CLOSED);
      else void out.drained().then(() => out.ring.setState(W_CLOSED));
    }
  }

  /** Closes this end when a `using` scope ends. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Receives until the other end is closed and everything it sent was received (or this end is
   * closed), then ends.
   *
   * @example
   * ```ts
   * for await (const progress of conn) bar.update(progress);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      try {
        yield await this.recv();
      } catch (error) {
        if (error instanceof ChannelClosedError) return;
        throw error;
      }
    }
  }

  get [Symbol.toStringTag](): string {
    return 'Connection';
  }

  /** @internal */
  [kShare](target: 'thread' | 'process', hub: ShareHub | null): ConnectionDescriptor {
    if (this.#id !== 0) {
      throw new TypeError(
        'A Connection received by a child process cannot be passed on to another pool from ' +
          'there: pass the original from the main thread.',
      );
    }
    if (target === 'thread') {
      return { k: 'conn', in: this.#in?.ring.sab, out: this.#out?.ring.sab };
    }
    return {
      k: 'conn',
      id: hub!.register(this),
      r: this.#readable,
      w: this.#writable,
      cap: this.#out?.ring.capacity ?? 0,
    };
  }

  /** @internal The worker holding this end died: the end is closed, marked as crashed. */
  [kWorkerDied](death: WorkerDeath): void {
    const owner = death.threadId + 1;
    this.#out?.ring.breakFor(owner, W_CLOSED | W_CRASHED);
    this.#in?.ring.breakFor(owner, R_CLOSED | R_CRASHED);
  }

  /** @internal */
  [kThreadDied](threadId: number): void {
    this.#in?.ring.threadDied(threadId);
    this.#out?.ring.threadDied(threadId);
  }

  /** @internal An operation a child process asked for. */
  [kServe](op: string, args: unknown[], signal: AbortSignal | undefined): unknown {
    switch (op) {
      case 'send':
        this.send(args[0] as T);
        return undefined;
      case 'sendb': {
        const bytes = args[0] as Uint8Array;
        this.#sendBytes(bytes, bytes.length);
        return undefined;
      }
      case 'recv':
        return this.recv({ signal });
      case 'recvb':
        // The bytes: the child decodes them itself.
        this.#checkReadable();
        this.#checkOpen();
        return this.#in!.get(signal, true);
      case 'poll':
        return this.pollAsync(args[0] as number, { signal });
      case 'drain':
        return this.drain();
      case 'close':
        this.close();
        return undefined;
      default:
        throw new Error(`tsio: unknown Connection operation "${op}".`);
    }
  }
}

/** Rebuilds a Connection in a worker from its descriptor. */
export function attachConnection<T>(desc: ConnectionDescriptor): Connection<T> {
  attaching = desc;
  try {
    return new Connection<T>();
  } finally {
    attaching = null;
  }
}

/**
 * Two connected ends: Python's `multiprocessing.Pipe(duplex=True)`. With `{ duplex: false }` the
 * first end only receives and the second only sends. Messages are copied (structured-clone data)
 * through shared memory; each end can be kept in the main thread or passed as a direct argument to
 * a thread- or process-pool task.
 *
 * @example
 * ```ts
 * import { Pipe } from 'tsio/channels';
 *
 * const [a, b] = Pipe<number>();
 * b.send(1);
 * console.log(await a.recv()); // 1
 * a.close(); // b.recv() now rejects with ChannelClosedError
 * ```
 */
export function Pipe<T = unknown>(options?: PipeOptions): [Connection<T>, Connection<T>] {
  checkOptions('options', options);
  if (options !== undefined) checkKnownKeys('options', options, ['duplex', 'bufferSize']);
  const duplex = options?.duplex ?? true;
  if (typeof duplex !== 'boolean') throw typeError('options.duplex', 'a boolean', duplex);
  const bytes = checkBufferSize(options?.bufferSize);
  const toFirst = Ring.create(bytes, 0).sab;
  const toSecond = duplex ? Ring.create(bytes, 0).sab : undefined;
  const ends: [Connection<T>, Connection<T>] = [
    attachConnection<T>({ k: 'conn', in: toFirst, out: toSecond }),
    attachConnection<T>({ k: 'conn', in: toSecond, out: toFirst }),
  ];
  trackShareable(ends[0]);
  trackShareable(ends[1]);
  return ends;
}
