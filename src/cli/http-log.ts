/**
 * The access log of `tsio serve`: one line per request, in the spirit of uvicorn's
 * (`127.0.0.1:54321 - "GET /timeit/1 HTTP/1.1" 200 OK 1001.2 ms`), and a cheap line writer that
 * batches the lines of one event-loop turn into one write.
 */
import { STATUS_CODES } from 'node:http';

/** Longest request target copied into a log line; longer ones are cut (a 414 carries 8 KiB). */
const MAX_TARGET = 200;

/** Reasons Node does not know: 499 is nginx's, for a client that left before its answer. */
const REASONS: Readonly<Record<number, string>> = { 499: 'Client Closed Request' };

/** What one access-log line says about a request. */
export interface AccessEntry {
  /** The client's address and port, e.g. `127.0.0.1:54321`. */
  readonly client: string;
  /** '' when the request could not be parsed: the line then shows `"-"`. */
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly target: string;
  /** e.g. `1.1`. */
  readonly httpVersion: string;
  readonly status: number;
  readonly ms: number;
}

/**
 * Formats one access-log line (no newline).
 *
 * @example
 * ```ts
 * accessLine({ client: '127.0.0.1:5000', method: 'GET', target: '/', httpVersion: '1.1', status: 200, ms: 0.42 });
 * // '127.0.0.1:5000 - "GET / HTTP/1.1" 200 OK 0.4 ms'
 * ```
 */
export function accessLine(entry: AccessEntry): string {
  const target =
    entry.target.length > MAX_TARGET ? `${entry.target.slice(0, MAX_TARGET)}...` : entry.target;
  const reason = REASONS[entry.status] ?? STATUS_CODES[entry.status] ?? '';
  const ms = entry.ms < 10 ? entry.ms.toFixed(1) : entry.ms.toFixed(0);
  const request = entry.method === '' ? '-' : `${entry.method} ${target} HTTP/${entry.httpVersion}`;
  return `${entry.client} - "${request}" ${entry.status}${reason === '' ? '' : ` ${reason}`} ${ms} ms`;
}

/** A line sink that buffers: {@link LineWriter.flush} writes what is pending at once. */
export interface LineWriter {
  /** Queues one line (without its newline); it is written at the end of this event-loop turn. */
  write(line: string): void;
  /** Writes the pending lines now (synchronously where the stream is). */
  flush(): void;
}

/** Pending text above this many characters is written at once instead of at the end of the turn. */
const HIGH_WATER = 64 * 1024;

/**
 * A {@link LineWriter} over `stream`: lines queued during one event-loop turn are joined and
 * written with one `write` call from a `setImmediate`, so a busy server pays one system call per
 * turn, not one per request.
 *
 * @example
 * ```ts
 * const log = createLineWriter(process.stdout);
 * log.write('hello');
 * log.flush(); // before exiting
 * ```
 */
export function createLineWriter(stream: NodeJS.WritableStream): LineWriter {
  let pending = '';
  let scheduled: NodeJS.Immediate | undefined;
  const flush = (): void => {
    if (scheduled !== undefined) {
      clearImmediate(scheduled);
      scheduled = undefined;
    }
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  return {
    write(line: string): void {
      pending += `${line}\n`;
      if (pending.length > HIGH_WATER) flush();
      else scheduled ??= setImmediate(flush);
    },
    flush,
  };
}
