/**
 * `tsio status`: the seed's `fetch_status` grown into a tool: the command, its options and its
 * help. The run itself (semaphores, a task per URL, streaming output in completion or input
 * order, bounded memory) is in `status-run.ts`.
 */
import type { Command } from './command.js';
import { tuneGcForManyRequests } from './gc-tuning.js';
import { DEFAULTS, parseStatusArgs } from './status-options.js';
import { INPUT_ORDER_MAX, runStatus } from './status-run.js';
import { UrlInput } from './url-input.js';

export { runStatus, type StatusIO } from './status-run.js';

const d = DEFAULTS;

/** `tsio status --help`. */
export const HELP = `Usage: tsio status [options] [URL...]

Checks the HTTP status of many URLs at once: the seed's fetch_status (asyncio.create_task per
URL, collected with as_completed or gather), with tsio's tasks, semaphores and timeouts.

URLs come from the arguments and from -f FILE (one per line; blank lines and # comments are
skipped); with neither, from stdin when it is not a terminal. An invalid URL (not parseable, not
http or https) is reported as a failed result, not an error of the command.

Memory is bounded by -c, not by the number of URLs: files and stdin are read a line at a time
as URLs can start, and each result is written and forgotten (in completion order at once).

Options:
  -f, --file FILE            read URLs from FILE (repeatable; - reads stdin)
  -c, --concurrency N        at most N URLs in flight at once (default ${d.concurrency})
      --per-host N           at most N of them per host (host:port); 0 = no per-host limit
                             beyond -c, like aiohttp's default (default ${d.perHost}); URLs
                             are then read up to max(1000, 10 x -c) ahead, so that other hosts
                             can run while one is busy
  -t, --timeout SECONDS      time for one attempt, redirects included (default ${d.timeout})
  -r, --retries N            retries after the first attempt (default ${d.retries}): on network
                             errors, timeouts, 408, 429 and 5xx except 501/505; never on other 4xx
      --backoff SECONDS      first retry wait, doubled each retry, with jitter, at most 30 s
                             (default ${d.backoff})
      --max-retry-after SECONDS
                             a Retry-After header (whole seconds or an HTTP date; anything
                             else is ignored) is honoured up to this many seconds; longer
                             waits are cut to it (default ${d.maxRetryAfter})
  -m, --method get|auto|head get: what the seed does; a small body (up to 64 KiB) is read and
                             dropped so the connection is reused, a bigger one is cut off.
                             auto: HEAD, then GET when the server answers 405/501 (and GET for
                             that origin from then on) or hangs up on (or answers garbage to)
                             the HEAD. head: HEAD only.
                             (HEAD saves bandwidth but costs a new connection per request:
                             undici closes the connection after every HEAD.) (default ${d.method})
      --max-redirects N      redirects (301/302/303/307/308) followed per attempt; more is a
                             failure; 0 = do not follow, report the 3xx itself (default ${d.maxRedirects})
      --order completed|input
                             completed: print each result as it finishes (asCompleted);
                             input: print them in input order (gather), each once those
                             before it are printed; results that finish ahead of a slow URL
                             wait for it, at most ${INPUT_ORDER_MAX} (or 100 per -c), then
                             reading waits too (default ${d.order})
      --format table|json|ndjson|csv
                             table: aligned columns + summary on stdout; json: one document
                             {results, summary}; ndjson: one object per line; csv: RFC 4180 with
                             a header row (ndjson and csv: summary on stderr) (default ${d.format})
      --ok RANGES            statuses that count as success, e.g. 200-299,304 or 2xx,3xx
                             (default ${d.ok}). A 3xx is reported as the status when it is
                             not followed: with --max-redirects 0, a 300 or 304 (never
                             followed), or a 301/302/303/307/308 without a Location
      --progress, --no-progress
                             force the progress bar on stderr on or off (default: on when
                             stderr is a terminal; while a file is being read its total is an
                             estimate, ~N, and ? for stdin)
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
    // Opens every file and reads up to the first URL (none at all: a usage error). Ctrl-C before
    // that just ends the process; from then on the input is read as the run goes.
    const input = await UrlInput.open({
      args: options.urls,
      files: options.files,
      stdin: process.stdin,
    });
    tuneGcForManyRequests();
    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort();
    // Once: a second Ctrl-C gets Node's default (exit at once).
    process.once('SIGINT', onSigint);
    try {
      return await runStatus(input, options, {
        stdout: process.stdout,
        stderr: process.stderr,
        signal: interrupt.signal,
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
