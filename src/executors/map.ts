/**
 * `executor.map`: results in input order, chunks of `chunksize` items per task, at most
 * `buffersize` chunks submitted ahead of the consumer, one deadline for the whole map.
 */

import { CancelledError, TimeoutError } from '../errors.js';
import type { Future } from '../future.js';
import { Deque } from '../internal/deque.js';
import type { FnSpec } from './task-ref.js';

/** What `map` needs from its pool. */
export interface ChunkSubmitter {
  _submitChunk(spec: FnSpec, items: unknown[]): Future<unknown[]>;
}

interface Settings {
  readonly chunksize: number;
  readonly buffersize: number;
  readonly timeout: number;
  readonly signal: AbortSignal | null;
}

/** The iterator `map` returns. */
export class MapIterator<T, R> implements AsyncIterableIterator<R> {
  readonly #pool: ChunkSubmitter;
  readonly #spec: FnSpec;
  readonly #settings: Settings;
  readonly #deadline: number;
  readonly #pending = new Deque<Future<unknown[]>>();
  #sync: Iterator<T> | null = null;
  #async: AsyncIterator<T> | null = null;
  #sourceDone = false;
  #sourceError: { error: unknown } | null = null;
  #pumping: Promise<void> | null = null;
  #chunk: unknown[] | null = null;
  #index = 0;
  #finished = false;
  #onAbort: (() => void) | null = null;

  constructor(
    pool: ChunkSubmitter,
    spec: FnSpec,
    iterable: Iterable<T> | AsyncIterable<T>,
    settings: Settings,
  ) {
    this.#pool = pool;
    this.#spec = spec;
    this.#settings = settings;
    this.#deadline = performance.now() + settings.timeout;
    if (typeof (iterable as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') {
      this.#async = (iterable as AsyncIterable<T>)[Symbol.asyncIterator]();
    } else {
      this.#sync = (iterable as Iterable<T>)[Symbol.iterator]();
    }
    const signal = settings.signal;
    if (signal !== null) {
      if (signal.aborted) {
        this.#finish();
        this.#sourceError = { error: new CancelledError('The map was cancelled by its signal.') };
        return;
      }
      this.#onAbort = () => {
        this.#onAbort = null;
        this.#cancelPending();
        this.#sourceError = { error: new CancelledError('The map was cancelled by its signal.') };
        this.#closeSource();
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    // Python submits the work when map() is called, before anyone iterates.
    this.#fill();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Submits chunks until `buffersize` are pending or the input ends. */
  #fill(): void {
    if (this.#finished || this.#sourceDone) return;
    if (this.#sync !== null) {
      const { chunksize, buffersize } = this.#settings;
      try {
        while (this.#pending.length < buffersize) {
          const items: unknown[] = [];
          while (items.length < chunksize) {
            const r = this.#sync.next();
            if (r.done === true) {
              this.#sourceDone = true;
              break;
            }
            items.push(r.value);
          }
          if (items.length > 0) this.#pending.push(this.#pool._submitChunk(this.#spec, items));
          if (this.#sourceDone) break;
        }
      } catch (error) {
        this.#sourceDone = true;
        this.#sourceError = { error };
      }
    } else if (this.#pumping === null) {
      this.#pumping = this.#pumpAsync().finally(() => {
        this.#pumping = null;
      });
    }
  }

  async #pumpAsync(): Promise<void> {
    const { chunksize, buffersize } = this.#settings;
    try {
      while (!this.#finished && !this.#sourceDone && this.#pending.length < buffersize) {
        const items: unknown[] = [];
        while (items.length < chunksize) {
          const r = await this.#async!.next();
          if (this.#finished) return;
          if (r.done === true) {
            this.#sourceDone = true;
            break;
          }
          items.push(r.value);
        }
        if (items.length > 0) this.#pending.push(this.#pool._submitChunk(this.#spec, items));
      }
    } catch (error) {
      this.#sourceDone = true;
      this.#sourceError ??= { error };
    }
  }

  async next(): Promise<IteratorResult<R>> {
    const chunk = this.#chunk;
    if (chunk !== null) {
      const value = chunk[this.#index] as R;
      chunk[this.#index] = undefined;
      if (++this.#index === chunk.length) this.#chunk = null;
      return { value, done: false };
    }
    if (this.#finished) {
      if (this.#sourceError !== null) {
        const { error } = this.#sourceError;
        this.#sourceError = null;
        throw error;
      }
      return { value: undefined, done: true };
    }
    try {
      for (;;) {
        const head = this.#pending.peekFront();
        if (head === undefined) {
          if (this.#pumping !== null) {
            await this.#waitUntilDeadline(this.#pumping);
            continue;
          }
          if (this.#sourceError !== null) throw this.#sourceError.error;
          if (this.#sourceDone) {
            this.#finish();
            return { value: undefined, done: true };
          }
          this.#fill();
          continue;
        }
        const items = head.done() ? head.result() : await this.#waitUntilDeadline(head);
        this.#pending.shift();
        this.#fill();
        if (items.length === 0) continue;
        if (items.length > 1) {
          this.#chunk = items;
          this.#index = 1;
        }
        const value = items[0] as R;
        return { value, done: false };
      }
    } catch (error) {
      this.#cancelPending();
      this.#closeSource();
      this.#sourceError = null;
      throw error;
    }
  }

  async #waitUntilDeadline<V>(thing: PromiseLike<V>): Promise<V> {
    if (this.#settings.timeout === Infinity) return await thing;
    const left = this.#deadline - performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        thing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new TimeoutError(
                  `map() did not produce its results within ${this.#settings.timeout} ms.`,
                ),
              ),
            Math.max(0, left),
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#chunk = null;
    if (this.#onAbort !== null) {
      this.#settings.signal!.removeEventListener('abort', this.#onAbort);
      this.#onAbort = null;
    }
  }

  #cancelPending(): void {
    this.#finish();
    while (this.#pending.length > 0) this.#pending.shift()!.cancel();
  }

  #closeSource(): void {
    const it = this.#sync ?? this.#async;
    this.#sync = null;
    try {
      const r = it?.return?.();
      if (r instanceof Promise) r.catch(() => undefined);
    } catch {
      // The input's own cleanup failed; the map is over anyway.
    }
  }

  /** Stops the map early (a `break` out of `for await`): cancels the pending chunks. */
  return(): Promise<IteratorResult<R>> {
    if (!this.#finished || this.#pending.length > 0) {
      this.#cancelPending();
      this.#closeSource();
    }
    this.#sourceError = null;
    return Promise.resolve({ value: undefined, done: true });
  }
}
