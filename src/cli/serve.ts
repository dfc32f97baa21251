/**
 * `tsio serve`: the seed's FastAPI server (`GET /` and `GET /timeit/{seconds}`) on node:http, with
 * three ways to wait that show the seed's lesson: a timer that leaves the event loop free
 * (`async`), a blocking wait on the event loop that stalls every other request (`blocking`), and
 * the blocking wait moved to tsio's thread pool, as FastAPI does with a sync handler (`thread`).
 *
 * Its answers are byte for byte those of the seed's server (`{"Hello":"World"}`,
 * `"sleep seconds: 2"`, `application/json`), so the seed's httpx and aiohttp clients work
 * unchanged; where the seed's server answers a 500 (bad seconds), this one answers FastAPI's 422.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ThreadPoolExecutor } from '../executors/index.js';
import { sleep } from '../index.js';
import { checkInteger } from '../internal/validate.js';
import { choiceOption, flag, intOption, parseCommand, stringOption, UsageError } from './args.js';
import type { Command } from './command.js';
import { accessLine, createLineWriter, type LineWriter } from './http-log.js';

/** How `GET /timeit/:seconds` waits. */
export type ServeMode = 'async' | 'blocking' | 'thread';

/** Every {@link ServeMode}, in the order `--help` lists them. */
export const SERVE_MODES: readonly ServeMode[] = ['async', 'blocking', 'thread'];

/** Options of {@link startServer}; every one has a default. */
export interface ServeOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** Default 'async'. */
  mode?: ServeMode;
  /** Thread pool size for mode 'thread' (default 40, like FastAPI's AnyIO pool). */
  threads?: number;
  /** Largest accepted /timeit seconds (default 60); larger -> 422. */
  maxSeconds?: number;
  /** Milliseconds one "second" of /timeit lasts (default 1000; the demo scales it down). */
  secondMs?: number;
  /** Receives one log line per request; null for none (default: stdout). */
  log?: ((line: string) => void) | null;
  /** Longest request target (path and query) in bytes; longer -> 414 (default 8192). */
  maxUrlLength?: number;
  /** Largest request head (request line and headers) in bytes; larger -> 431 (default 16384). */
  maxHeaderSize?: number;
  /** Milliseconds a client may take to send a request's headers (default 10,000; then 408). */
  headersTimeoutMs?: number;
  /** Milliseconds a client may take to send a whole request (default 30,000; then 408). */
  requestTimeoutMs?: number;
  /** Milliseconds an idle keep-alive connection stays open (default 5,000, as uvicorn). */
  keepAliveTimeoutMs?: number;
}

/** A server started by {@link startServer}. */
export interface RunningServer {
  /** e.g. 'http://127.0.0.1:8000' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** How `/timeit` waits. */
  readonly mode: ServeMode;
  /** Requests received and not answered yet. */
  readonly inFlight: number;
  /**
   * Stops accepting, lets in-flight requests finish (their answers carry `Connection: close`),
   * closes idle keep-alive connections, frees the pool. Requests whose bytes had reached the
   * server are taken in first, even behind a blocking wait. `onStopped` is called once no new
   * connection is accepted, with the number of requests still to answer. Calling it again
   * returns the same promise.
   */
  close(onStopped?: (inFlight: number) => void): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Answers

const SERVER_NAME = 'tsio';
const JSON_TYPE = 'application/json';
const HELLO = Buffer.from('{"Hello":"World"}');
const NOT_FOUND = Buffer.from('{"detail":"Not Found"}');
const METHOD_NOT_ALLOWED = Buffer.from('{"detail":"Method Not Allowed"}');
const INTERNAL_ERROR = Buffer.from('{"detail":"Internal Server Error"}');
const ALLOW = 'GET, HEAD';
const TIMEIT = '/timeit/';

/** The FastAPI-shaped 422 body for a bad `seconds`. */
function validationError(
  type: string,
  msg: string,
  ctx?: Record<string, number>,
): Buffer<ArrayBuffer> {
  const error = { loc: ['path', 'seconds'], msg, type, ...(ctx !== undefined ? { ctx } : {}) };
  return Buffer.from(JSON.stringify({ detail: [error] }));
}

function detail(text: string): Buffer<ArrayBuffer> {
  return Buffer.from(JSON.stringify({ detail: text }));
}

/** pydantic v1 rejects a string longer than this before calling `int()` (`max_str_int`). */
const MAX_INT_STRING = 4300;

/** What Python's `int()` strips around a number: ASCII and Unicode white space (`Py_UNICODE_ISSPACE`). */
const PY_SPACE =
  '[ \\t\\n\\v\\f\\r\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
/** Python's `int(s)` in base 10: white space, a sign, digits with single `_` between them. */
const PY_INT = new RegExp(`^${PY_SPACE}*([+-]?\\p{Nd}+(?:_\\p{Nd}+)*)${PY_SPACE}*$`, 'u');
const ND = /^\p{Nd}$/u;

/**
 * The ASCII digit of a Unicode decimal digit (`\p{Nd}`): Unicode puts them in runs of ten, 0 to
 * 9, so the value is the distance from the start of the run, modulo 10.
 */
function asciiDigit(ch: string): string {
  let cp = ch.codePointAt(0)!;
  if (cp < 128) return ch;
  const last = cp;
  while (ND.test(String.fromCodePoint(cp - 1))) cp--;
  return String((last - cp) % 10);
}

/**
 * `seconds` as an integer in `[0, max]`, or the 422 body saying what is wrong with it. The
 * (percent-decoded) segment is read as FastAPI reads an `int` path parameter: pydantic v1's
 * `int(v)`, so surrounding white space, `+`, leading zeros, `_` between digits and Unicode
 * decimal digits are accepted, and a string over 4300 characters is not an integer.
 */
export function parseSeconds(segment: string, max: number): number | Buffer<ArrayBuffer> {
  let raw = segment;
  try {
    raw = decodeURIComponent(segment);
  } catch {
    // A broken %-escape is just not an integer.
  }
  const expected = `expected a whole number of seconds from 0 to ${max}`;
  const shown = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}...` : raw);
  const match =
    raw.length > MAX_INT_STRING && [...raw].length > MAX_INT_STRING ? null : PY_INT.exec(raw);
  if (match === null) {
    return validationError(
      'type_error.integer',
      `value is not a valid integer: ${expected}, got ${shown}`,
    );
  }
  const ascii = match[1]!.replaceAll('_', '').replace(/\P{ASCII}/gu, asciiDigit);
  const n = Number(ascii) + 0; // + 0 turns -0 into 0
  if (n < 0) {
    return validationError(
      'value_error.number.not_ge',
      `ensure this value is greater than or equal to 0: ${expected}, got ${shown}`,
      { limit_value: 0 },
    );
  }
  if (n > max) {
    return validationError(
      'value_error.number.not_le',
      `ensure this value is less than or equal to ${max}: ${expected} (the server's --max-seconds), got ${shown}`,
      { limit_value: max },
    );
  }
  return n;
}

/**
 * Blocks the calling thread for `ms` milliseconds, as Python's `time.sleep`. Self-contained: the
 * thread pool ships it to its workers as source.
 */
function blockingWait(ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Options

interface Resolved {
  host: string;
  port: number;
  mode: ServeMode;
  threads: number;
  maxSeconds: number;
  secondMs: number;
  maxUrlLength: number;
  maxHeaderSize: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** `value` (an integer in `[min, max]`, checked as every tsio option is) or `fallback`. */
function intOr(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  checkInteger(`options.${name}`, value, min, max);
  return value;
}

function resolveOptions(o: ServeOptions): Resolved {
  const mode = o.mode ?? 'async';
  if (!SERVE_MODES.includes(mode)) {
    throw new RangeError(
      `startServer: options.mode must be one of ${SERVE_MODES.join(', ')}; got ${JSON.stringify(mode)}`,
    );
  }
  const headersTimeoutMs = intOr('headersTimeoutMs', o.headersTimeoutMs, 10_000, 1, 3_600_000);
  return {
    host: o.host ?? '127.0.0.1',
    port: intOr('port', o.port, 8000, 0, 65_535),
    mode,
    threads: intOr('threads', o.threads, 40, 1, 1024),
    maxSeconds: intOr('maxSeconds', o.maxSeconds, 60, 0, 86_400),
    secondMs: intOr('secondMs', o.secondMs, 1000, 0, 60_000),
    maxUrlLength: intOr('maxUrlLength', o.maxUrlLength, 8192, 16, 1 << 20),
    maxHeaderSize: intOr('maxHeaderSize', o.maxHeaderSize, 16_384, 1024, 1 << 20),
    headersTimeoutMs,
    requestTimeoutMs: intOr(
      'requestTimeoutMs',
      o.requestTimeoutMs,
      Math.max(30_000, headersTimeoutMs),
      headersTimeoutMs,
      3_600_000,
    ),
    keepAliveTimeoutMs: intOr('keepAliveTimeoutMs', o.keepAliveTimeoutMs, 5000, 1, 3_600_000),
  };
}

// ---------------------------------------------------------------------------------------------
// The server

/** A raw answer written straight to the socket, for requests the HTTP parser rejected. */
function rawAnswer(status: number, reason: string, body: Buffer): Buffer {
  const head =
    `HTTP/1.1 ${status} ${reason}\r\nserver: ${SERVER_NAME}\r\ncontent-type: ${JSON_TYPE}\r\n` +
    `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function clientOf(socket: Socket): string {
  const address = socket.remoteAddress ?? '-';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? '-'}`;
}

/** One request being answered: what its log line needs, captured when it started. */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly start: number;
  /** Read when the request starts: once the socket is gone its address is too. */
  readonly client: string;
}

/** The path of a request target: origin-form as is, absolute-form (RFC 9112 3.2.2) cut to it. */
function pathOf(target: string): { path: string; query: string } {
  let rest = target;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(target);
  if (scheme !== null) {
    const authorityEnd = target.slice(scheme[0].length).search(/[/?#]/);
    rest = authorityEnd === -1 ? '/' : target.slice(scheme[0].length + authorityEnd);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const q = rest.indexOf('?');
  return q === -1 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q) };
}

/** Whether the client is gone, so that an answer written now would never arrive. */
function clientGone(res: ServerResponse): boolean {
  const socket = res.req.socket as Socket | null;
  return res.destroyed || socket === null || socket.destroyed || !socket.writable;
}

/**
 * Starts the seed's server and resolves once it listens (rejects with the listen error, e.g.
 * `EADDRINUSE`, otherwise).
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0, secondMs: 100, log: null });
 * const res = await fetch(`${server.url}/timeit/2`); // about 200 ms
 * console.log(await res.json()); // 'sleep seconds: 2'
 * await server.close();
 * ```
 */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const o = resolveOptions(options);
  let writer: LineWriter | undefined;
  let log: ((line: string) => void) | null;
  if (options.log === undefined) {
    const w = createLineWriter(process.stdout);
    writer = w;
    log = (line) => w.write(line);
  } else {
    log = options.log;
  }
  let pool: ThreadPoolExecutor | undefined;
  let inFlight = 0;
  /** Connections and requests seen so far: close() waits until a loop turn adds none. */
  let activity = 0;
  let closing = false;
  let onDrained: (() => void) | undefined;

  // Blocking mode: the event loop is the one worker, as Python's event loop is for an `async def`
  // that calls time.sleep. Requests are queued and handled one per loop turn, so that between
  // two blocking waits the loop reads what arrived meanwhile: queued requests are counted in
  // flight, and a client that left is seen before its answer is written.
  const jobs: (() => void)[] = [];
  let jobScheduled = false;
  const runJob = (): void => {
    jobScheduled = false;
    const job = jobs.shift();
    if (jobs.length > 0) scheduleJobs();
    job?.();
  };
  const scheduleJobs = (): void => {
    if (!jobScheduled) {
      jobScheduled = true;
      setImmediate(runJob);
    }
  };
  /** Queues `job`; `first` puts it before the queued ones (the rest of a started request). */
  const enqueue = (job: () => void, first = false): void => {
    if (first) jobs.unshift(job);
    else jobs.push(job);
    scheduleJobs();
  };

  const answer = (
    x: Exchange,
    status: number,
    body: Buffer,
    extra?: Record<string, string>,
  ): void => {
    if (clientGone(x.res)) {
      // Nothing written can arrive: log nginx's 499 ("client closed request"), not the status.
      finished(x, 499);
      return;
    }
    const headers: Record<string, string | number> =
      body.length === 0
        ? { server: SERVER_NAME, 'content-length': 0, ...extra }
        : {
            server: SERVER_NAME,
            'content-type': JSON_TYPE,
            'content-length': body.length,
            ...extra,
          };
    if (closing) headers['connection'] = 'close';
    x.res.writeHead(status, headers);
    x.res.end(body);
    finished(x, status);
  };

  const finished = (x: Exchange, status: number): void => {
    inFlight--;
    if (log !== null) {
      writeLog(
        accessLine({
          client: x.client,
          method: x.req.method ?? '-',
          target: x.req.url ?? '-',
          httpVersion: x.req.httpVersion,
          status,
          ms: performance.now() - x.start,
        }),
      );
    }
    if (closing && inFlight === 0) onDrained?.();
  };

  /** A log callback that throws must not take a request (or the server) down with it. */
  const writeLog = (line: string): void => {
    try {
      log?.(line);
    } catch (e) {
      process.stderr.write(`tsio serve: the access log failed: ${String(e)}\n`);
    }
  };

  const timeit = async (x: Exchange, segment: string): Promise<void> => {
    const seconds = parseSeconds(segment, o.maxSeconds);
    if (typeof seconds !== 'number') {
      answer(x, 422, seconds);
      return;
    }
    const ms = seconds * o.secondMs;
    if (o.mode === 'blocking') {
      blockingWait(ms);
      // The answer is written next turn, before any other queued request: the loop first reads
      // whether the client left during the wait.
      await new Promise<void>((resolve) => enqueue(resolve, true));
    } else if (o.mode === 'thread') {
      pool ??= new ThreadPoolExecutor({ maxWorkers: o.threads, name: 'tsio-serve' });
      await pool.submit(blockingWait, ms);
    } else {
      // A client that goes away stops its timer; its log line says 499 (nginx's "client closed").
      const aborter = new AbortController();
      const onClose = (): void => {
        if (!x.res.writableFinished) aborter.abort();
      };
      x.res.once('close', onClose);
      try {
        await sleep(ms, undefined, { signal: aborter.signal });
      } catch (e) {
        if (!aborter.signal.aborted) throw e;
        finished(x, 499);
        return;
      } finally {
        x.res.off('close', onClose);
      }
    }
    answer(x, 200, Buffer.from(JSON.stringify(`sleep seconds: ${seconds}`)));
  };

  const route = (x: Exchange): void => {
    try {
      const { req } = x;
      if (
        req.headers.host === undefined &&
        req.httpVersionMajor === 1 &&
        req.httpVersionMinor >= 1
      ) {
        answer(
          x,
          400,
          detail('Bad Request: the Host header is missing; HTTP/1.1 requires one (RFC 9112 3.2)'),
        );
        return;
      }
      const target = req.url ?? '/';
      if (target.length > o.maxUrlLength) {
        answer(
          x,
          414,
          detail(
            `URI Too Long: the request target has ${target.length} bytes; at most ${o.maxUrlLength} are accepted`,
          ),
        );
        return;
      }
      const { path, query } = pathOf(target);
      const isRoot = path === '/';
      let segment: string | undefined;
      if (!isRoot && path.startsWith(TIMEIT)) {
        const rest = path.slice(TIMEIT.length);
        const slash = rest.indexOf('/');
        if (slash === -1 && rest !== '') segment = rest;
        else if (slash === rest.length - 1 && slash > 0) {
          // Starlette's redirect_slashes: /timeit/2/ -> 307 /timeit/2
          const location = `${TIMEIT}${rest.slice(0, -1)}${query}`;
          answer(x, 307, Buffer.alloc(0), { location });
          return;
        }
      }
      if (!isRoot && segment === undefined) {
        answer(x, 404, NOT_FOUND);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        answer(x, 405, METHOD_NOT_ALLOWED, { allow: ALLOW });
        return;
      }
      if (isRoot) {
        answer(x, 200, HELLO);
        return;
      }
      timeit(x, segment!).catch((e: unknown) => failed(x, e));
    } catch (e) {
      failed(x, e);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const x: Exchange = { req, res, start: performance.now(), client: clientOf(req.socket) };
    inFlight++;
    activity++;
    req.resume(); // a body, if any, is read and dropped
    if (o.mode === 'blocking') enqueue(() => route(x));
    else route(x);
  };

  /** A handler threw: answer a JSON 500 (or drop the connection if the answer had started). */
  const failed = (x: Exchange, e: unknown): void => {
    process.stderr.write(
      `tsio serve: error while answering ${x.req.method ?? '-'} ${x.req.url ?? '-'}: ${
        e instanceof Error ? (e.stack ?? e.message) : String(e)
      }\n`,
    );
    if (x.res.headersSent) {
      x.res.destroy();
      finished(x, 500);
    } else {
      answer(x, 500, INTERNAL_ERROR);
    }
  };

  const onClientError = (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    let status = 400;
    let reason = 'Bad Request';
    let text = `Bad Request: the request could not be parsed (${error.code ?? error.message})`;
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      // The parser counts the request line with the headers; a head whose first line alone is
      // over the URL limit is a long URL.
      const raw = (error as { rawPacket?: Buffer }).rawPacket;
      const eol = raw === undefined ? -1 : raw.indexOf('\r\n');
      if (raw !== undefined && (eol === -1 || eol > o.maxUrlLength)) {
        status = 414;
        reason = 'URI Too Long';
        text = `URI Too Long: the request target is over ${o.maxUrlLength} bytes`;
      } else {
        status = 431;
        reason = 'Request Header Fields Too Large';
        text = `Request Header Fields Too Large: the request line and headers are over ${o.maxHeaderSize} bytes`;
      }
    } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      reason = 'Request Timeout';
      text = 'Request Timeout: the request was not received in time';
    }
    const client = clientOf(socket);
    socket.end(rawAnswer(status, reason, detail(text)));
    if (log !== null) {
      writeLog(accessLine({ client, method: '', target: '', httpVersion: '1.1', status, ms: 0 }));
    }
  };

  const server: Server = createServer(
    {
      maxHeaderSize: o.maxHeaderSize,
      headersTimeout: o.headersTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      keepAliveTimeout: o.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1000,
      // Node's own answer to a request without Host is a bare 400 with no log line; route()
      // answers it in JSON and logs it.
      requireHostHeader: false,
    },
    onRequest,
  );
  server.on('clientError', onClientError);
  server.on('connection', () => activity++);

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => process.stderr.write(`tsio serve: server error: ${e.message}\n`));

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;

  const close = async (onStopped?: (inFlight: number) => void): Promise<void> => {
    closing = true;
    // Connections waiting to be accepted, and requests whose bytes arrived but were not read yet
    // (behind a blocking wait, say), would look idle and be reset: let the loop take them in
    // first, turn by turn, until a turn brings nothing new.
    for (let turn = 0; turn < 100; turn++) {
      const seen = activity;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (turn >= 1 && activity === seen) break;
    }
    // server.close() also closes the idle keep-alive connections.
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    onStopped?.(inFlight);
    if (inFlight > 0) await new Promise<void>((resolve) => (onDrained = resolve));
    // Answers written while closing said `Connection: close`; a client that keeps its end open
    // anyway is cut after a moment.
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), 1000);
    await stopped;
    clearTimeout(cut);
    await pool?.shutdown({ wait: true });
    writer?.flush();
  };

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    mode: o.mode,
    get inFlight() {
      return inFlight;
    },
    close: (onStopped) => (closed ??= close(onStopped)),
  };
}

// ---------------------------------------------------------------------------------------------
// The command

const HELP = `Usage: tsio serve [options]

The seed's FastAPI server on Node:
  GET /                  -> 200 {"Hello":"World"}
  GET /timeit/:seconds   -> waits, then 200 "sleep seconds: N" (a JSON string)
The answers are byte for byte FastAPI's, so the seed's httpx and aiohttp clients work unchanged.
Bad seconds (not an integer, negative, over --max-seconds) -> 422 with FastAPI's JSON error body;
Seconds are read as Python's int() reads them (" 1", "1_0", "+3", "007" are accepted).
Unknown path -> 404 {"detail":"Not Found"}; other methods than GET/HEAD -> 405 with Allow;
/timeit/N/ -> 307 to /timeit/N; a URL over 8 KiB -> 414; a head over 16 KiB -> 431; an
HTTP/1.1 request without Host -> 400.

Options:
  --mode MODE          how /timeit waits (default async):
                         async     a timer: the event loop stays free, waits overlap
                         blocking  a blocking wait ON the event loop (Python's time.sleep in an
                                   async def): every other request stalls until it ends
                         thread    the blocking wait moved to tsio's ThreadPoolExecutor, as FastAPI
                                   runs a sync handler: overlaps up to --threads waits
  --threads N          thread pool size for --mode thread (default 40, like FastAPI's AnyIO pool)
  --host HOST          address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --port PORT          port to bind (default 8000; 0 picks a free one)
  --max-seconds N      largest /timeit seconds accepted (default 60)
  --second-ms MS       milliseconds one /timeit "second" lasts (default 1000; smaller for quick demos)
  -q, --quiet          no access log (default: one line per request on stdout)
  -h, --help           show this text

Output: the first line on stdout is 'tsio serve: listening on http://HOST:PORT (mode M)', then
one access-log line per request: client - "METHOD TARGET HTTP/1.1" STATUS REASON DURATION
(499 Client Closed Request: the client left before its answer was written).

Stopping: Ctrl+C (SIGINT) or SIGTERM takes in the requests already sent, stops accepting, lets
in-flight requests finish, closes idle keep-alive connections and the thread pool, and exits 0.
A second signal exits at once with 130 (SIGINT) or 143 (SIGTERM). A port already in use, or any other listen error: exit 1.

Examples:
  tsio serve                                   http://127.0.0.1:8000/timeit/2
  tsio serve --port 0 --quiet                  a free port, no access log
  tsio serve --mode blocking                   see one /timeit/5 stall GET /
  tsio serve --mode thread --threads 4         5 concurrent /timeit/1 take 2 s, not 1
  curl -i http://127.0.0.1:8000/timeit/abc     422 with what was wrong
`;

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

function listenErrorMessage(e: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use (EADDRINUSE); stop the other server, choose another --port, or --port 0 for a free one`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (EACCES); ports below 1024 need privileges, choose another --port`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: no such address on this machine (EADDRNOTAVAIL); expected a local address such as 127.0.0.1`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: unknown host ${JSON.stringify(host)} (${e.code}); expected a local address such as 127.0.0.1`;
    default:
      return `cannot listen on ${where}: ${e.message}`;
  }
}

async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      mode: { type: 'string' },
      threads: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'max-seconds': { type: 'string' },
      'second-ms': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    { positionals: false },
  );
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const mode = choiceOption('mode', stringOption(parsed, 'mode', 'async'), SERVE_MODES);
  const threads = intOption('threads', stringOption(parsed, 'threads', '40'), 1, 1024);
  const host = stringOption(parsed, 'host', '127.0.0.1');
  if (host.trim() === '') throw new UsageError('option --host must not be empty');
  const port = intOption('port', stringOption(parsed, 'port', '8000'), 0, 65_535);
  const maxSeconds = intOption('max-seconds', stringOption(parsed, 'max-seconds', '60'), 0, 86_400);
  const secondMs = intOption('second-ms', stringOption(parsed, 'second-ms', '1000'), 0, 60_000);
  const quiet = flag(parsed, 'quiet');

  let server: RunningServer;
  try {
    server = await startServer({
      host,
      port,
      mode,
      threads,
      maxSeconds,
      secondMs,
      ...(quiet ? { log: null } : {}),
    });
  } catch (e) {
    process.stderr.write(
      `tsio serve: ${listenErrorMessage(e as NodeJS.ErrnoException, host, port)}\n`,
    );
    return 1;
  }
  const details = mode === 'thread' ? `, ${threads} threads` : '';
  process.stdout.write(
    `tsio serve: listening on ${server.url} (mode ${mode}${details}); press Ctrl+C to stop\n`,
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
      if (stopping) {
        process.stderr.write(`tsio serve: ${signal} again, exiting now\n`);
        process.exit(SIGNAL_EXIT[signal]);
      }
      stopping = true;
      // Counted once the requests already sent are taken in (see RunningServer.close).
      const onStopped = (n: number): void => {
        process.stderr.write(
          `tsio serve: ${signal} received, no longer accepting; finishing ${n} in-flight ` +
            `request${n === 1 ? '' : 's'} (send it again to exit at once)\n`,
        );
      };
      server.close(onStopped).then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        },
        (e: unknown) => {
          process.stderr.write(`tsio serve: error while closing: ${String(e)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.stderr.write('tsio serve: stopped\n');
  return 0;
}

/** `tsio serve`. */
export const command: Command = {
  name: 'serve',
  summary: "the seed's FastAPI server: GET / and GET /timeit/:seconds",
  help: HELP,
  run,
};
