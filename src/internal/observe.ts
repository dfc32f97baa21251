import { isCancelledError } from '../errors.js';
import { type Listener, isFuture } from '../future.js';

/** How an awaitable ended. */
export const Outcome = { Fulfilled: 1, Rejected: 2, Cancelled: 3 } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export type Observer = (outcome: Outcome, value: unknown) => void;

const notify: Listener = (done, observer) => {
  (observer as Observer)(done._state as Outcome, done._value);
};

/**
 * Calls `observer` once `aw` settles: synchronously on completion for tsio futures, on a
 * microtask for promises and thenables. Returns a function that stops observing (a promise cannot
 * be unsubscribed from, so for promises it only silences the observer).
 */
export function observe(aw: PromiseLike<unknown>, observer: Observer): () => void {
  if (isFuture(aw)) {
    const f = aw;
    f._listen(notify, observer);
    return () => f._unlisten(notify, observer);
  }
  let active = true;
  const ok = (value: unknown): void => {
    if (active) observer(Outcome.Fulfilled, value);
  };
  const fail = (error: unknown): void => {
    if (active) observer(isCancelledError(error) ? Outcome.Cancelled : Outcome.Rejected, error);
  };
  if (aw instanceof Promise) aw.then(ok, fail);
  else Promise.resolve(aw).then(ok, fail);
  return () => {
    active = false;
  };
}
