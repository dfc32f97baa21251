/**
 * The concurrency limits of `tsio status`: a global {@link Semaphore} and, optionally, one
 * semaphore per host, taken with {@link Semaphore.hold} so that a URL waiting for its turn costs
 * one small future (no task, no promise, no signal): 10,000 waiting URLs stay cheap. Per-host
 * semaphores exist only while a URL of that host waits or runs.
 */
import { Semaphore, type Future } from '../index.js';

interface HostEntry {
  readonly semaphore: Semaphore;
  /** URLs of this host waiting or running. */
  users: number;
}

/**
 * A global limit plus a per-host limit. The host permit is taken first, then the global one, so a
 * URL waiting for a busy host never sits on a global permit that other hosts could use (and the
 * fixed order cannot deadlock).
 *
 * @example
 * ```ts
 * const limits = new HostLimits(50, 6);
 * const status = await limits.run('example.com:443', () => createTask((s) => get(url, s)));
 * ```
 */
export class HostLimits {
  readonly #global: Semaphore;
  readonly #perHost: number;
  readonly #hosts = new Map<string, HostEntry>();

  /**
   * @param global the most `fn`s running at once overall (>= 1).
   * @param perHost the most per host (>= 1), or 0 for no per-host limit.
   */
  constructor(global: number, perHost: number) {
    this.#global = new Semaphore(global);
    this.#perHost = perHost;
  }

  /** Distinct hosts with a URL waiting or running (0 without a per-host limit). */
  get hosts(): number {
    return this.#hosts.size;
  }

  /**
   * Runs `fn` once a permit for `host` and a global one are free, gives them back when its
   * result settles, and returns a future of that result. `cancel()` on the future while `fn`
   * waits for the host permit removes it from the queue; a URL that already holds its host
   * permit can be stopped from inside `fn` (throw a `CancelledError`).
   */
  run<T>(host: string, fn: () => PromiseLike<T>): Future<T> {
    if (this.#perHost === 0) return this.#global.hold(fn);
    let entry = this.#hosts.get(host);
    if (entry === undefined) {
      entry = { semaphore: new Semaphore(this.#perHost), users: 0 };
      this.#hosts.set(host, entry);
    }
    entry.users++;
    const held = entry.semaphore.hold(() => this.#global.hold(fn)) as Future<T>;
    const e = entry;
    held.addDoneCallback(() => {
      if (--e.users === 0) this.#hosts.delete(host);
    });
    return held;
  }
}
