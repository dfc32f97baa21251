/**
 * `tsio/testing`: a virtual clock for tests. While installed, every tsio timer (`sleep`,
 * `waitFor`, `timeout`, `wait`/`asCompleted` timeouts) runs on virtual time that only moves when
 * the test advances it, so a 10-minute timeout is tested in microseconds.
 *
 * @module
 */
import { type Clock, type TimerHandle, installClock } from './internal/clock.js';
import { rangeError, typeError } from './internal/validate.js';

interface VirtualTimer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
  cancel(): void;
}

/** Lets pending microtasks and I/O callbacks run (one macrotask turn). */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock whose time moves only when told. Made and installed by {@link useVirtualClock}.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: VirtualTimer[] = [];
  #previous: Clock | null = null;

  /** @param start the initial time in milliseconds. @default 0 */
  constructor(start = 0) {
    if (typeof start !== 'number') throw typeError('start', 'a finite number', start);
    if (!Number.isFinite(start)) throw rangeError('start', 'a finite number', start);
    this.#now = start;
  }

  /** The virtual time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** @internal Used by tsio's clock module. */
  setTimer(callback: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = {
      at: this.#now + Math.max(0, ms),
      seq: this.#seq++,
      callback,
      cancelled: false,
      cancel: () => {
        timer.cancelled = true;
        const i = this.#timers.indexOf(timer);
        if (i >= 0) this.#timers.splice(i, 1);
      },
    };
    // Keep timers sorted by (at, seq): firing order is deadline order, then creation order.
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.at > timer.at) i--;
    this.#timers.splice(i, 0, timer);
    return timer;
  }

  /** How many timers are waiting. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /** The time of the next timer, or null. */
  nextTimerAt(): number | null {
    return this.#timers[0]?.at ?? null;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order, and letting promise
   * callbacks run after each one (so timers they set are fired too if due).
   *
   * @example
   * ```ts
   * const clock = useVirtualClock();
   * const p = waitFor(sleep(10_000), 1000);
   * await clock.advance(1000); // p rejects with TimeoutError
   * ```
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== 'number') throw typeError('ms', 'a number of milliseconds', ms);
    if (!(ms >= 0) || !Number.isFinite(ms)) throw rangeError('ms', 'a finite number >= 0', ms);
    const target = this.#now + ms;
    await turn();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.at > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await turn();
    }
    this.#now = target;
    await turn();
  }

  /**
   * Fires timers until none is left (or `limit` were fired), moving time to each; returns the
   * number fired.
   */
  async runAll(limit = 10_000): Promise<number> {
    let fired = 0;
    await turn();
    while (this.#timers.length > 0 && fired < limit) {
      const next = this.#timers.shift()!;
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      fired++;
      await turn();
    }
    return fired;
  }

  /** Lets pending promise callbacks and immediates run without moving time. */
  async settle(): Promise<void> {
    await turn();
  }

  /** Makes this the clock of every tsio timer. */
  install(): this {
    if (this.#previous === null) this.#previous = installClock(this);
    return this;
  }

  /** Restores the clock that was active before `install()`; pending virtual timers are dropped. */
  uninstall(): void {
    if (this.#previous !== null) {
      installClock(this.#previous);
      this.#previous = null;
    }
    for (const t of this.#timers) t.cancelled = true;
    this.#timers = [];
  }

  [Symbol.dispose](): void {
    this.uninstall();
  }
}

/**
 * Installs a new {@link VirtualClock} starting at `start` ms and returns it. Uninstall it when
 * the test ends (`clock.uninstall()`, or `using clock = useVirtualClock()`).
 *
 * @example
 * ```ts
 * import { useVirtualClock } from 'tsio/testing';
 * test('times out', async () => {
 *   using clock = useVirtualClock();
 *   const p = assert.rejects(timeout(60_000, (signal) => sleep(120_000, undefined, { signal })), TimeoutError);
 *   await clock.advance(60_000);
 *   await p;
 * });
 * ```
 */
export function useVirtualClock(start = 0): VirtualClock {
  return new VirtualClock(start).install();
}
