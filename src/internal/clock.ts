/**
 * The one clock every tsio timer goes through. The real clock is `performance.now()` and Node's
 * timers; `tsio/testing` swaps in a virtual clock so timeouts are tested without sleeping.
 */

/** A timer of the clock that made it: a Node `Timeout`, or an object that cancels itself. */
export type TimerHandle = NodeJS.Timeout | { cancel(): void };

export interface Clock {
  /** Milliseconds in the timebase of `performance.now()`. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds (`ms` >= 0, possibly Infinity). */
  setTimer(callback: () => void, ms: number): TimerHandle;
}

/** Node clamps delays above 2^31-1 ms to 1 ms; longer timers are chained. */
const MAX_DELAY = 2 ** 31 - 1;

class LongTimer {
  #timer: NodeJS.Timeout;
  #remaining: number;
  readonly #callback: () => void;
  constructor(callback: () => void, ms: number) {
    this.#callback = callback;
    this.#remaining = ms;
    this.#timer = this.#arm();
  }
  #arm(): NodeJS.Timeout {
    const step = Math.min(this.#remaining, MAX_DELAY);
    this.#remaining -= step;
    return setTimeout(() => {
      if (this.#remaining > 0) this.#timer = this.#arm();
      else this.#callback();
    }, step);
  }
  cancel(): void {
    clearTimeout(this.#timer);
  }
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) =>
    ms <= MAX_DELAY ? setTimeout(callback, ms) : new LongTimer(callback, ms),
};

let current: Clock = realClock;

/** Now, in the active clock's milliseconds. */
export function now(): number {
  return current.now();
}

/** Starts a timer on the active clock. */
export function setTimer(callback: () => void, ms: number): TimerHandle {
  return current.setTimer(callback, ms);
}

/** Cancels a timer of whichever clock made it (safe to call twice). */
export function clearTimer(handle: TimerHandle): void {
  if (typeof (handle as { cancel?: unknown }).cancel === 'function') {
    (handle as { cancel(): void }).cancel();
  } else {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

/** Replaces the active clock (used by `tsio/testing`); returns the one it replaced. */
export function installClock(clock: Clock): Clock {
  const previous = current;
  current = clock;
  return previous;
}
