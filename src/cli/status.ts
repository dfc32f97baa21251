/**
 * `tsio status`: the seed's `fetch_status` grown into a tool. A global and a per-host semaphore
 * (`Semaphore.hold`) bound what runs at once; each URL becomes a task (`createTask`, as in the
 * seed) when its permits are granted; results are collected with `asCompleted` (streamed as they
 * finish, the seed's third way) or `gather` (input order, the second way). SIGINT cancels every
 * task and every waiting URL, then what finished is printed with the summary (exit code 130).
 */
import { Agent } from 'undici';
import {
  CancelledError,
  Future,
  asCompleted,
  createTask,
  gather,
  isCancelledError,
  type Task,
} from '../index.js';
import type { Command } from './command.js';
import {
  checkUrl,
  invalidUrlResult,
  parseHttpUrl,
  type CheckContext,
  type StatusResult,
} from './fetch-status.js';
import { HostLimits } from './host-limits.js';
import { createWriter } from './output.js';
import { ProgressBar } from './progress.js';
import { DEFAULTS, parseStatusArgs, type StatusOptions } from './status-options.js';
import { SummaryCollector } from './status-summary.js';
import { TextSink } from './text-sink.js';
import { collectUrls } from './url-input.js';

const d = DEFAULTS;

/** `tsio status --help`. */
export const HELP = `Usage: tsio status [options] [URL...]

Checks the HTTP status of many URLs at once: the seed's fetch_status (asyncio.create_task per
URL, collected with as_completed or gather), with tsio's tasks, semaphores and timeouts.

URLs come from the arguments and from -f FILE (one per line; blank lines and # comments are
skipped); with neither, from stdin when it is not a terminal. An invalid URL (not parseable, not
http or https) is reported as a failed result, not an error of the command.

Options:
  -f, --file FILE            read URLs from FILE (repeatable; - reads stdin)
  -c, --concurrency N        at most N URLs in flight at once (default ${d.concurrency})
      --per-host N           at most N of them per host (host:port); 0 = no per-host limit
                             beyond -c, like aiohttp's default (default ${d.perHost})
  -t, --timeout SECONDS      time for one attempt, redirects included (default ${d.timeout})
  -r, --retries N            retries after the first attempt (default ${d.retries}): on network
                             errors, timeouts, 408, 429 and 5xx except 501/505; never on other 4xx
      --backoff SECONDS      first retry wait, doubled each retry, with jitter, at most 30 s
                             (default ${d.backoff})
      --max-retry-after SECONDS
                             a Retry-After header (seconds or HTTP date) is honoured up to this
                             many seconds; longer waits are cut to it (default ${d.maxRetryAfter})
  -m, --method get|auto|head get: what the seed does; a small body (up to 64 KiB) is read and
                             dropped so the connection is reused, a bigger one is cut off.
                             auto: HEAD, then GET when the server answers 405/501 (and GET for
                             that origin from then on) or hangs up on the HEAD. head: HEAD only.
                             (HEAD saves bandwidth but costs a new connection per request:
                             undici closes the connection after every HEAD.) (default ${d.method})
      --max-redirects N      redirects (301/302/303/307/308) followed per attempt; more is a
                             failure; 0 = do not follow, report the 3xx itself (default ${d.maxRedirects})
      --order completed|input
                             completed: print each result as it finishes (asCompleted);
                             input: print them in input order at the end (gather)
                             (default ${d.order})
      --format table|json|ndjson|csv
                             table: aligned columns + summary on stdout; json: one document
                             {results, summary}; ndjson: one object per line; csv: RFC 4180 with
                             a header row (ndjson and csv: summary on stderr) (default ${d.format})
      --ok RANGES            statuses that count as success, e.g. 200-299,304 or 2xx,3xx
                             (default ${d.ok}: a 3xx is only seen with --max-redirects 0)
      --progress, --no-progress
                             force the progress bar on stderr on or off (default: on when
                             stderr is a terminal)
  -h, --help                 show this text

Each result has: index, url, ok, status (null without a response), ms (first request to outcome,
retry waits included), attempts, redirects, method, finalUrl, error and errorKind (null when a
response arrived). The summary counts statuses and errors by kind, with latency p50/p90/p99/max,
wall time and requests/s.

Exit codes: 0 all URLs ok, 1 any failed, 2 usage error, 130 interrupted (Ctrl-C; what finished
is printed, with the summary).

Examples:
  tsio status https://example.com https://example.org/missing
  tsio status -f urls.txt -c 100 --per-host 6 --format ndjson > results.ndjson
  cat urls.txt | tsio status --order input --format csv > results.csv
  tsio status -f urls.txt --timeout 5 --retries 0 --method get --ok 2xx
  tsio serve --port 8000 & tsio status http://127.0.0.1:8000/timeit/1 http://127.0.0.1:8000/
`;

/** The output streams and the interruption signal {@link runStatus} works with. */
export interface StatusIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Aborting it interrupts the run (SIGINT): every task is cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * Checks `urls` with parsed `options` and resolves with the exit code: 0 all ok, 1 any failed,
 * 130 interrupted (`io.signal` aborted).
 */
export async function runStatus(
  urls: readonly string[],
  options: StatusOptions,
  io: StatusIO,
): Promise<number> {
  if (io.signal?.aborted) return 130;

  const summary = new SummaryCollector();
  const limits = new HostLimits(options.concurrency, options.perHost);
  const agent = new Agent({
    // Never more sockets per origin than requests that may be in flight to it.
    connections: options.perHost > 0 ? options.perHost : options.concurrency,
    keepAliveTimeout: 10_000,
  });
  const ctx: CheckContext = {
    dispatcher: agent,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoffMs: options.backoffMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
    method: options.method,
    maxRedirects: options.maxRedirects,
    ok: options.ok,
    onRequest: () => {
      summary.requests++;
    },
    noHead: new Set(),
  };
  /** The tasks running now (at most --concurrency): SIGINT cancels them. */
  const running = new Set<Task<StatusResult>>();
  const forget = (task: Future<StatusResult>): void => {
    running.delete(task as Task<StatusResult>);
  };
  const bar =
    (options.progress ?? io.stderr.isTTY === true)
      ? new ProgressBar(io.stderr, urls.length, () => ({
          done: summary.finished,
          ok: summary.okCount,
          failed: summary.failedCount,
          inFlight: running.size,
        }))
      : null;
  const clearBar = bar === null ? undefined : () => bar.clear();
  const out = new TextSink(io.stdout, clearBar);
  const err = new TextSink(io.stderr, clearBar);
  const writer = createWriter(options.format, out, err);

  let interrupted = false;
  let pending: Future<StatusResult>[] = [];
  const onInterrupt = (): void => {
    interrupted = true;
    // Waiting URLs leave the queues; running tasks are cancelled (their requests abort); a URL
    // granted a permit from now on stops at once (see `start` below).
    for (const f of pending) f.cancel('interrupted');
    for (const task of running) task.cancel('interrupted');
  };
  io.signal?.addEventListener('abort', onInterrupt, { once: true });

  /** The seed's `asyncio.create_task(fetch_status(url))`, once the URL's permits are granted. */
  const start = (index: number, raw: string, url: URL): Task<StatusResult> => {
    if (interrupted) throw new CancelledError('interrupted');
    const task = createTask(async (signal) => {
      const result = await checkUrl(index, raw, url, ctx, signal);
      summary.add(result);
      return result;
    });
    running.add(task);
    task.addDoneCallback(forget);
    return task;
  };
  /** A future of one URL's result: waiting for permits, then its task. */
  const schedule = (raw: string, index: number): Future<StatusResult> => {
    const url = parseHttpUrl(raw);
    if (typeof url === 'string') {
      const result = invalidUrlResult(index, raw, url);
      summary.add(result);
      const done = new Future<StatusResult>();
      done.setResult(result);
      return done;
    }
    // Only the host is kept while the URL waits; it is parsed again when it runs.
    return limits.run(url.host, () => start(index, raw, new URL(raw)));
  };

  const startedAt = performance.now();
  let completed = false;
  try {
    writer.begin();
    bar?.start();
    pending = urls.map(schedule);
    if (options.order === 'completed') {
      // The seed's third way: `for future in as_completed(tasks): print(await future)`.
      for (const next of asCompleted(pending)) {
        let result: StatusResult;
        try {
          result = await next;
        } catch (e) {
          if (isCancelledError(e)) continue;
          throw e;
        }
        writer.result(result);
        await out.drain();
      }
    } else {
      // The seed's second way: `results = await asyncio.gather(*tasks)`, in input order.
      const results = await gather(pending, { returnExceptions: true });
      for (const result of results) {
        if (result instanceof Error) {
          if (isCancelledError(result)) continue;
          throw result;
        }
        writer.result(result);
        await out.drain();
      }
    }
    const wallMs = performance.now() - startedAt;
    bar?.stop();
    writer.end(summary.summary(urls.length, wallMs, interrupted, options.ok.text));
    await out.flush();
    await err.flush();
    completed = true;
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
    bar?.stop();
    // Only after a failure is anything left: stop it before the agent goes.
    for (const f of pending) f.cancel('tsio status is ending');
    for (const task of running) task.cancel('tsio status is ending');
    pending = [];
    // close() lets idle keep-alive sockets go; destroy() also aborts what is still running.
    await (completed && !interrupted ? agent.close() : agent.destroy());
  }
  if (interrupted) return 130;
  return summary.failedCount > 0 ? 1 : 0;
}

/** The `tsio status` command. */
export const command: Command = {
  name: 'status',
  summary: "the seed's fetch_status grown into a tool: HTTP status of many URLs",
  help: HELP,
  async run(argv) {
    const options = parseStatusArgs(argv);
    if (options.help) {
      process.stdout.write(HELP);
      return 0;
    }
    // Before the SIGINT handler: Ctrl-C while stdin is being read just ends the process.
    const urls = await collectUrls({
      args: options.urls,
      files: options.files,
      stdin: process.stdin,
    });
    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort();
    // Once: a second Ctrl-C gets Node's default (exit at once).
    process.once('SIGINT', onSigint);
    try {
      return await runStatus(urls, options, {
        stdout: process.stdout,
        stderr: process.stderr,
        signal: interrupt.signal,
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
