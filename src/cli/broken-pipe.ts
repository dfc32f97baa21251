/**
 * What `tsio` does when the reader of its output goes away (`tsio demo | head`): stdout or stderr
 * fails with EPIPE. By default the process exits at once with the exit code set so far, which is
 * right for commands with nothing to clean up (`serve`, `status`); a command with workers or
 * servers to stop (`demo`) installs a hook instead, stops its work and ends by itself.
 */

let hook: (() => void) | null = null;
let broken = false;

/**
 * Replaces the default (exit at once) with `handler`, called once, on the first EPIPE. Returns a
 * function that restores the default.
 */
export function onBrokenPipe(handler: () => void): () => void {
  hook = handler;
  return () => {
    if (hook === handler) hook = null;
  };
}

/** True once stdout or stderr has failed with EPIPE: nothing more can be written. */
export function pipeBroken(): boolean {
  return broken;
}

/** Called by the `tsio` entry on EPIPE (and on writes after it): the hook, or exit at once. */
export function brokenPipe(): void {
  const first = !broken;
  broken = true;
  if (hook === null) {
    process.exit(process.exitCode ?? 0);
  }
  if (first) hook();
}
