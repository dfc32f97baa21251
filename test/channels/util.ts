// Helpers shared by the tsio/channels tests (not a test file: the runner loads *.test.js only).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';

/** Generous bound on every pool task of these tests: a hang becomes a TimeoutError, not a stall. */
export const TASK_TIMEOUT = 20_000;

/** Per-test time limit (node:test option). */
export const SLOW = { timeout: 60_000 } as const;

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Lets callbacks, microtasks and immediates run a few times. */
export async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Rejects with a clear error when `p` does not settle within `ms` (the timer is always cleared). */
export async function deadline<T>(p: Promise<T>, what: string, ms = TASK_TIMEOUT): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Tracks whether a promise has settled (its rejection counts as handled). */
export function track<T>(p: Promise<T>): {
  readonly settled: boolean;
  readonly promise: Promise<T>;
} {
  const state = { settled: false, promise: p };
  p.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

/** True when `p` is still pending after a few event-loop turns (and `ms` milliseconds). */
export async function stillPending(p: Promise<unknown>, ms = 0): Promise<boolean> {
  const t = track(p);
  await turns();
  if (ms > 0) await sleep(ms);
  await turns();
  return !t.settled;
}

/** The rejection reason of `p`; fails when it fulfils (or does not settle in time). */
export async function rejection(
  p: Promise<unknown>,
  what = 'the promise',
  ms = TASK_TIMEOUT,
): Promise<unknown> {
  const outcome = await deadline(
    p.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    what,
    ms,
  );
  if (outcome.ok) assert.fail(`${what} fulfilled with ${String(outcome.value)} instead of failing`);
  return outcome.error;
}

/** Waits until `check()` holds. */
export async function until(check: () => boolean, what: string, ms = TASK_TIMEOUT): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Abort listeners currently on `signal`. */
export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** Listener counts on `process` for the events a channel implementation might hook. */
const EVENTS = [
  'message',
  'exit',
  'beforeExit',
  'uncaughtException',
  'unhandledRejection',
  'disconnect',
  'warning',
  'SIGINT',
  'SIGTERM',
] as const;

export function processListeners(): Record<string, number> {
  return Object.fromEntries(EVENTS.map((e) => [e, process.listenerCount(e)]));
}

/** A readable summary of an unknown error value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** The big text of a message of about `bytes` bytes. */
export const text = (bytes: number, ch = 'x'): string => ch.repeat(bytes);

/**
 * A signal for operations that would wait forever if the code under test were broken (a crash
 * not noticed): `using g = guard()` aborts it when the test's scope ends, so that a failing test
 * does not keep the file's process alive.
 */
export function guard(): { readonly signal: AbortSignal; [Symbol.dispose](): void } {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      controller.abort(new Error('test over'));
    },
  };
}

/** Collects the MaxListenersExceededWarning warnings of this process between start() and stop(). */
export function listenerWarnings(): { readonly seen: string[]; start(): void; stop(): void } {
  const seen: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === 'MaxListenersExceededWarning') seen.push(w.message);
  };
  return {
    seen,
    start: () => process.on('warning', onWarning),
    stop: () => process.off('warning', onWarning),
  };
}
