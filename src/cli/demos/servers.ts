/**
 * The in-process `tsio serve` instances of a demo run: one per mode, started on first use with the
 * run's time scale and no request log, all closed when the run ends.
 */
import { startServer } from '../serve.js';
import type { RunningServer, ServeMode } from '../serve.js';

/** Lazily started servers, one per mode. */
export class Servers {
  readonly #second: number;
  readonly #running = new Map<ServeMode, Promise<RunningServer>>();

  /** `second`: the milliseconds one `/timeit` second lasts. */
  constructor(second: number) {
    this.#second = second;
  }

  /** The base URL of the server in `mode`, starting it if needed. */
  async url(mode: ServeMode): Promise<string> {
    let server = this.#running.get(mode);
    if (server === undefined) {
      server = startServer({ port: 0, mode, secondMs: this.#second, log: null, threads: 8 });
      this.#running.set(mode, server);
    }
    return (await server).url;
  }

  /** Closes every server started (requests in flight finish first); rejects if one fails to close. */
  async close(): Promise<void> {
    const all = [...this.#running.values()];
    this.#running.clear();
    const errors: unknown[] = [];
    await Promise.all(
      all.map(async (starting) => {
        let server: RunningServer;
        try {
          server = await starting;
        } catch {
          return; // it never started: the demo that asked for it has reported why
        }
        try {
          await server.close();
        } catch (e) {
          errors.push(e);
        }
      }),
    );
    if (errors.length > 0) throw new AggregateError(errors, 'a demo server failed to close');
  }
}
