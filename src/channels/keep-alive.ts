/**
 * `Atomics.waitAsync` holds no handle, so a thread whose only pending work is a wait on a channel
 * would let Node exit (or a worker go idle) under it. A pending receive on a `MessagePort` keeps
 * Node alive; so does a pending wait on a tsio channel: while at least one wait is pending in this
 * thread, a long interval timer is active.
 */

let holds = 0;
let timer: NodeJS.Timeout | null = null;

function noop(): void {}

/** One more pending wait. */
export function hold(): void {
  if (holds++ === 0) timer = setInterval(noop, 2 ** 30);
}

/** One pending wait less. */
export function unhold(): void {
  if (--holds === 0 && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}
