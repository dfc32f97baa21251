/**
 * The deadlines of `tsio status`'s attempts and their cancellation, without an AbortController
 * per attempt: a run's attempts in flight are kept in one set, and one listener on the run's
 * signal aborts them all. (In Node 20, making an AbortController for each of 100,000 requests
 * costs measurable time, and the garbage it leaves behind is promoted to V8's old generation,
 * which is what made the heap of a long run grow between major collections.)
 */
import { TimeoutError } from '../errors.js';
import { clearTimer, setTimer, type TimerHandle } from '../internal/clock.js';

/**
 * One attempt: aborted when its deadline passes (with a {@link TimeoutError}) or when the run
 * stops (with the run signal's reason). The request in flight sets {@link Attempt.onAbort} to
 * be told.
 */
export class Attempt {
  /** Why the attempt was aborted; null while it may go on. */
  reason: unknown = null;
  /** Aborts the request in flight; set by it while it runs, null otherwise. */
  onAbort: ((reason: unknown) => void) | null = null;
  /** @internal */ timer: TimerHandle | undefined = undefined;

  /** True once aborted (deadline or stop). */
  get aborted(): boolean {
    return this.reason !== null;
  }

  /** True when it was the deadline that aborted it. */
  get timedOut(): boolean {
    return this.reason instanceof TimeoutError;
  }

  /** Aborts the attempt with `reason` (the first reason wins) and its request in flight. */
  abort(reason: unknown): void {
    if (this.reason !== null) return;
    this.reason = reason;
    const onAbort = this.onAbort;
    this.onAbort = null;
    onAbort?.(reason);
  }
}

/**
 * The attempts in flight of one run, under one signal: aborting it aborts every attempt with
 * the signal's reason, and any attempt begun later at once.
 *
 * @example
 * ```ts
 * const attempts = new Attempts(stop.signal);
 * const attempt = attempts.begin(10_000);
 * try {
 *   await request(attempt);
 * } finally {
 *   attempts.end(attempt);
 * }
 * attempts.close();
 * ```
 */
export class Attempts {
  /** The run's signal. */
  readonly signal: AbortSignal;
  readonly #active = new Set<Attempt>();
  readonly #onStop = (): void => {
    for (const attempt of this.#active) attempt.abort(this.signal.reason);
  };

  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener('abort', this.#onStop, { once: true });
  }

  /** Begins an attempt that times out after `ms` milliseconds. End it with {@link Attempts.end}. */
  begin(ms: number): Attempt {
    const attempt = new Attempt();
    if (this.signal.aborted) {
      attempt.abort(this.signal.reason);
      return attempt;
    }
    attempt.timer = setTimer(() => {
      attempt.timer = undefined;
      attempt.abort(new TimeoutError(`The timeout expired (${ms} ms)`));
    }, ms);
    this.#active.add(attempt);
    return attempt;
  }

  /** Ends an attempt: its timer is cleared and the run no longer aborts it. */
  end(attempt: Attempt): void {
    if (attempt.timer !== undefined) clearTimer(attempt.timer);
    attempt.timer = undefined;
    attempt.onAbort = null;
    this.#active.delete(attempt);
  }

  /** Stops listening to the run's signal (at the end of the run). */
  close(): void {
    this.signal.removeEventListener('abort', this.#onStop);
  }
}
