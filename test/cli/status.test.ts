// `tsio status`, spawned for real (dist/cli/main.js) against a local server that is slow, fails,
// redirects, rate-limits and hangs up; plus the pure helpers, imported from dist.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AUTH_PASSWORD,
  AUTH_USER,
  startGarbageServer,
  startStatusServer,
  type StatusTestServer,
} from '../fixtures/cli/status-server.js';

const MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const DIST_CLI = new URL('../../../dist/cli/', import.meta.url);

/** The documented result fields, in order: the JSON keys and the CSV header. */
const COLUMNS = [
  'index',
  'url',
  'ok',
  'status',
  'ms',
  'attempts',
  'redirects',
  'method',
  'finalUrl',
  'error',
  'errorKind',
];

interface Result {
  index: number;
  url: string;
  ok: boolean;
  status: number | null;
  ms: number;
  attempts: number;
  redirects: number;
  method: 'HEAD' | 'GET' | null;
  finalUrl: string | null;
  error: string | null;
  errorKind: string | null;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Written to stdin, which is then closed (closed at once when absent, unless `openStdin`). */
  input?: string;
  /** Leave stdin open after `input`: the test writes the rest (`child.stdin`) and ends it. */
  openStdin?: boolean;
  /** Called with the child and its output so far whenever stderr grows. */
  onStderr?: (stderr: string, child: ReturnType<typeof spawn>) => void;
  /** Called with the child and its output so far whenever stdout grows. */
  onStdout?: (stdout: string, child: ReturnType<typeof spawn>) => void;
  /** Options for node itself (before the script), e.g. a heap limit. */
  nodeArgs?: readonly string[];
  /** Count stdout's lines (in `lines`) instead of keeping it (`stdout` stays empty). */
  countLines?: boolean;
}

/** Runs `tsio status ...args` and resolves when the process has exited and its pipes closed. */
function status(
  args: readonly string[],
  { input, openStdin, onStderr, onStdout, nodeArgs = [], countLines }: RunOptions = {},
): Promise<Run & { lines: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, MAIN, 'status', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let lines = 0;
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (countLines === true) {
        for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) lines++;
        return;
      }
      stdout += s;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      onStderr?.(stderr, child);
    });
    // A hung command fails the test instead of hanging it.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, lines });
    });
    child.stdin.on('error', () => {}); // the command may exit without reading stdin
    if (openStdin === true) child.stdin.write(input ?? '');
    else child.stdin.end(input);
  });
}

function ndjson(stdout: string): Result[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Result);
}

function byUrl(results: readonly Result[]): Map<string, Result> {
  return new Map(results.map((r) => [r.url, r]));
}

/** A strict RFC 4180 parser: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      assert.equal(field, '', `a quote may only open a field (at ${i})`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(c, '\n', `a bare LF outside quotes (at ${i}): records end with CRLF`);
      field += c;
      i++;
    }
  }
  assert.equal(quoted, false, 'unterminated quoted field');
  assert.equal(field === '' && row.length === 0, true, 'the last record ends with CRLF');
  return rows;
}

let server: StatusTestServer;
let tmp: string;

before(async () => {
  server = await startStatusServer();
  tmp = await mkdtemp(join(tmpdir(), 'tsio-status-'));
});

after(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('tsio status: usage', () => {
  test('--help prints the options and examples, exit 0', async () => {
    const run = await status(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: tsio status/);
    for (const option of ['--concurrency', '--per-host', '--timeout', '--retries', '--method']) {
      assert.ok(run.stdout.includes(option), option);
    }
    assert.match(run.stdout, /Examples:\n {2}tsio status /);
  });

  test('an unknown option is a usage error (exit 2) pointing to --help', async () => {
    const run = await status(['--bogus', `${server.base}/ok`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--bogus/);
    assert.match(run.stderr, /tsio status --help/);
    assert.equal(run.stdout, '');
  });

  const bad: [string[], RegExp][] = [
    [['-c', '0'], /--concurrency must be an integer from 1 to 10000; got "0"/],
    [['--per-host=-1'], /--per-host must be an integer/],
    [['--timeout', 'soon'], /--timeout must be a number/],
    [['--retries', '1.5'], /--retries must be an integer/],
    [['--max-retry-after=-2'], /--max-retry-after must be a number/],
    [['--method', 'post'], /--method must be one of get, auto, head; got "post"/],
    [['--max-redirects', '99'], /--max-redirects must be an integer from 0 to 50/],
    [['--order', 'random'], /--order must be one of completed, input/],
    [['--format', 'xml'], /--format must be one of table, json, ndjson, csv/],
    [['--ok', '200-99'], /--ok: "200-99" is not a status code/],
    [['--ok', '2xx,700'], /--ok: "700"/],
    [['--progress', '--no-progress'], /--progress and --no-progress/],
    [['--timeout'], /--timeout/],
  ];
  for (const [args, message] of bad) {
    test(`${args.join(' ')} -> exit 2 with a clear message`, async () => {
      const run = await status([...args, `${server.base}/ok`]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
    });
  }

  test('no URLs at all (empty stdin, only comments in a file) -> exit 2', async () => {
    const none = await status([], { input: '' });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no URLs/);
    const file = join(tmp, 'comments.txt');
    await writeFile(file, '# nothing here\n\n   \n');
    const onlyComments = await status(['-f', file]);
    assert.equal(onlyComments.code, 2);
    assert.match(onlyComments.stderr, /no URLs/);
  });

  test('a missing --file -> exit 2 naming it', async () => {
    const run = await status(['-f', join(tmp, 'missing.txt')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot read --file ".*missing\.txt" \(no such file\)/);
  });
});

describe('tsio status: results', () => {
  test('all ok -> exit 0; each NDJSON line is a result', async () => {
    const urls = [`${server.base}/ok`, `${server.base}/status/204`, `${server.base}/redirect/1`];
    const run = await status([...urls, '--format', 'ndjson']);
    assert.equal(run.code, 0, run.stderr);
    const results = ndjson(run.stdout);
    assert.deepEqual(results.map((r) => r.url).sort(), [...urls].sort());
    for (const r of results) {
      assert.equal(r.ok, true);
      assert.equal(r.error, null);
      assert.equal(r.attempts, 1);
      assert.equal(typeof r.ms, 'number');
    }
    // The summary goes to stderr for NDJSON.
    assert.match(run.stderr, /3 URLs: 3 ok, 0 failed/);
    assert.match(run.stderr, /statuses: 200: 2, 204: 1/);
    assert.match(run.stderr, /latency: p50 .*p90 .*p99 .*max /);
    assert.match(run.stderr, /requests\/s|URLs\/s/);
  });

  test('failures, redirects, fallbacks and invalid URLs -> exit 1, each reported', async () => {
    const b = server.base;
    const urls = {
      notFound: `${b}/status/404`,
      serverError: `${b}/status/500`,
      flaky: `${b}/flaky?key=results&fail=1`,
      redirected: `${b}/redirect/3`,
      tooMany: `${b}/redirect/4`,
      loop: `${b}/loop/a`,
      crossHost: `${b}/to-localhost`,
      noHead: `${b}/nohead`,
      reset: `${b}/reset`,
      slow: `${b}/slow?ms=5000`,
      refused: 'http://127.0.0.1:1/',
      garbage: 'not a url',
      ftp: 'ftp://example.com/file',
    };
    const run = await status([
      ...Object.values(urls),
      '--format',
      'ndjson',
      '--method',
      'auto',
      '--max-redirects',
      '3',
      '--retries',
      '1',
      '--backoff',
      '0.01',
      '--timeout',
      '0.5',
    ]);
    assert.equal(run.code, 1, run.stderr);
    const r = byUrl(ndjson(run.stdout));
    assert.equal(r.size, Object.keys(urls).length);

    const notFound = r.get(urls.notFound)!;
    assert.deepEqual([notFound.ok, notFound.status, notFound.attempts], [false, 404, 1]); // no retry
    assert.equal(notFound.error, null);
    const serverError = r.get(urls.serverError)!;
    assert.deepEqual([serverError.ok, serverError.status, serverError.attempts], [false, 500, 2]);
    const flaky = r.get(urls.flaky)!;
    assert.deepEqual([flaky.ok, flaky.status, flaky.attempts], [true, 200, 2]);

    const redirected = r.get(urls.redirected)!;
    assert.deepEqual([redirected.ok, redirected.status, redirected.redirects], [true, 200, 3]);
    assert.equal(redirected.finalUrl, `${b}/redirect/0`); // relative Locations resolved
    const tooMany = r.get(urls.tooMany)!;
    assert.deepEqual(
      [tooMany.ok, tooMany.status, tooMany.errorKind],
      [false, null, 'too many redirects'],
    );
    assert.match(tooMany.error!, /more than 3/);
    assert.equal(tooMany.attempts, 1); // not worth a retry
    const loop = r.get(urls.loop)!;
    assert.deepEqual([loop.ok, loop.errorKind], [false, 'redirect loop']);
    const crossHost = r.get(urls.crossHost)!;
    assert.deepEqual([crossHost.ok, crossHost.finalUrl], [true, `${server.localBase}/ok`]);

    const noHead = r.get(urls.noHead)!;
    assert.deepEqual([noHead.ok, noHead.status, noHead.method], [true, 200, 'GET']);
    const noHeadLog = server.log.filter((e) => e.path === '/nohead').map((e) => e.method);
    assert.deepEqual(noHeadLog, ['HEAD', 'GET']);

    const reset = r.get(urls.reset)!;
    assert.deepEqual([reset.ok, reset.status, reset.errorKind], [false, null, 'connection reset']);
    assert.equal(reset.attempts, 2);
    const slow = r.get(urls.slow)!;
    assert.deepEqual([slow.ok, slow.errorKind, slow.attempts], [false, 'timeout', 2]);
    assert.match(slow.error!, /within 0\.5 s/);
    const refused = r.get(urls.refused)!;
    assert.deepEqual([refused.ok, refused.errorKind], [false, 'connection refused']);

    for (const bad of [urls.garbage, urls.ftp]) {
      const invalid = r.get(bad)!;
      assert.deepEqual(
        [invalid.ok, invalid.status, invalid.attempts, invalid.errorKind, invalid.method],
        [false, null, 0, 'invalid URL', null],
      );
    }
    assert.match(r.get(urls.ftp)!.error!, /unsupported scheme "ftp:"/);

    assert.match(run.stderr, /13 URLs: 4 ok, 9 failed/);
    assert.match(run.stderr, /statuses: 200: 4, 404: 1, 500: 1/);
    assert.match(run.stderr, /errors: .*invalid URL: 2/);
    assert.match(run.stderr, /timeout: 1/);
    assert.match(run.stderr, /connection refused: 1/);
  });

  test('Retry-After (seconds, HTTP date) is waited for, and capped by --max-retry-after', async () => {
    const gap = (key: string): number => {
      const times = server.log.filter((e) => e.path.includes(`key=${key}&`)).map((e) => e.at);
      assert.equal(times.length, 2, `two requests for ${key}`);
      return times[1]! - times[0]!;
    };
    const run = await status([
      `${server.base}/retry-after?key=s&value=1`,
      `${server.base}/retry-after?key=d&value=date:2`,
      '--format',
      'json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { results: Result[] };
    for (const r of doc.results) assert.deepEqual([r.ok, r.status, r.attempts], [true, 200, 2]);
    // Generous bounds: at least the time asked for (less a little timer slack), far below any cap.
    assert.ok(gap('s') >= 950 && gap('s') < 20_000, `Retry-After: 1 -> waited ${gap('s')} ms`);
    // An HTTP date 2 s ahead has whole seconds: between 1 and 2 s from the answer.
    assert.ok(gap('d') >= 900 && gap('d') < 20_000, `Retry-After: date -> waited ${gap('d')} ms`);

    const capped = await status([
      `${server.base}/retry-after?key=c&value=120`,
      '--max-retry-after',
      '0.3',
      '--format',
      'ndjson',
    ]);
    assert.equal(capped.code, 0, capped.stderr);
    assert.equal(ndjson(capped.stdout)[0]!.attempts, 2);
    assert.ok(gap('c') >= 250 && gap('c') < 20_000, `capped at 0.3 s -> waited ${gap('c')} ms`);
  });

  test('--ok decides what counts as success', async () => {
    const urls = [`${server.base}/status/404`, `${server.base}/redirect/1`];
    const strict = await status([...urls, '--ok', '200', '--format', 'ndjson']);
    assert.equal(strict.code, 1);
    const lenient = await status([...urls, '--ok', '2xx,404', '--format', 'ndjson']);
    assert.equal(lenient.code, 0, lenient.stderr);
    const raw = await status([
      `${server.base}/redirect/1`,
      '--max-redirects',
      '0',
      '--format',
      'ndjson',
    ]);
    const [r] = ndjson(raw.stdout);
    assert.deepEqual([r!.status, r!.ok, r!.redirects], [302, true, 0]); // 3xx is in 200-399
  });

  test('--help says which 3xx are reported (not followed) and count as ok', async () => {
    const run = await status(['--help']);
    const help = run.stdout.replace(/\s+/g, ' ');
    assert.ok(!help.includes('a 3xx is only seen with --max-redirects 0'), 'the old, wrong claim');
    assert.match(help, /with --max-redirects 0, a 300 or 304 \(never followed\), or a 301\/302/);
    // 304 (never followed) is reported as it is and is ok by default.
    const r = ndjson((await status([`${server.base}/status/304`, '--format', 'ndjson'])).stdout);
    assert.deepEqual([r[0]!.status, r[0]!.ok, r[0]!.redirects], [304, true, 0]);
  });

  test('credentials in a URL: Basic auth to its origin only, the password never printed', async () => {
    server.reset();
    const secret = encodeURIComponent(AUTH_PASSWORD); // pa%20ss
    const withCred = (path: string): string =>
      server.base.replace('http://', `http://${AUTH_USER}:${secret}@`) + path;
    const shown = (path: string): string =>
      server.base.replace('http://', `http://${AUTH_USER}:***@`) + path;
    const urls = [
      withCred('/auth'),
      withCred('/auth-here'),
      withCred('/auth-away'),
      withCred('/loop/a'),
      `${server.base}/auth`,
    ];
    const run = await status([...urls, '--format', 'ndjson', '--order', 'input']);
    assert.equal(run.code, 1, run.stderr);
    const r = ndjson(run.stdout);
    assert.deepEqual(
      r.map((x) => x.url),
      [shown('/auth'), shown('/auth-here'), shown('/auth-away'), shown('/loop/a'), urls[4]],
    );
    assert.deepEqual([r[0]!.status, r[0]!.ok, r[0]!.finalUrl], [200, true, shown('/auth')]);
    // A relative redirect stays on the origin: the credentials go along.
    assert.deepEqual([r[1]!.status, r[1]!.redirects, r[1]!.finalUrl], [200, 1, shown('/auth')]);
    // To another origin (localhost): dropped, so that server says 401.
    assert.deepEqual(
      [r[2]!.status, r[2]!.redirects, r[2]!.finalUrl],
      [401, 1, `${server.localBase}/auth`],
    );
    assert.equal(r[3]!.errorKind, 'redirect loop');
    assert.ok(r[3]!.error!.includes(shown('/loop/b')), r[3]!.error!);
    assert.equal(r[4]!.status, 401); // no credentials, no header

    const basic = `Basic ${Buffer.from(`${AUTH_USER}:${AUTH_PASSWORD}`).toString('base64')}`;
    const port = new URL(server.base).port;
    const authLog = server.log.filter((e) => e.path === '/auth');
    assert.deepEqual(
      authLog.map((e) => [e.host, e.authorization]).sort(),
      [
        [`127.0.0.1:${port}`, basic],
        [`127.0.0.1:${port}`, basic],
        [`127.0.0.1:${port}`, undefined],
        [`localhost:${port}`, undefined],
      ].sort(),
    );
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));

    for (const format of ['table', 'json', 'csv']) {
      const other = await status([...urls, '--format', format]);
      const all = other.stdout + other.stderr;
      assert.ok(!all.includes(secret) && !all.includes(AUTH_PASSWORD), `${format}: ${all}`);
      assert.ok(all.includes(shown('/auth')), format);
    }
    // An invalid URL is reported as given, its password hidden all the same.
    const invalid = await status([
      `ftp://${AUTH_USER}:${secret}@127.0.0.1/x`,
      '--format',
      'ndjson',
    ]);
    assert.equal(ndjson(invalid.stdout)[0]!.url, `ftp://${AUTH_USER}:***@127.0.0.1/x`);
  });

  test('a malformed Retry-After is ignored: the usual backoff applies, not an instant retry', async () => {
    server.reset();
    const gap = (key: string): number => {
      const times = server.log.filter((e) => e.path.includes(`key=${key}&`)).map((e) => e.at);
      assert.equal(times.length, 2, `two requests for ${key}`);
      return times[1]! - times[0]!;
    };
    const values = { neg: '-5', frac: '1.5', plus: '+3', list: '3, 4' };
    const run = await status([
      ...Object.entries(values).map(
        ([key, v]) => `${server.base}/retry-after?key=${key}&value=${encodeURIComponent(v)}`,
      ),
      '--backoff',
      '0.4',
      '--format',
      'ndjson',
    ]);
    assert.equal(run.code, 0, run.stderr);
    for (const key of Object.keys(values)) {
      // Equal jitter: at least half of --backoff (less a little timer slack).
      assert.ok(gap(key) >= 180, `Retry-After ${key} -> waited ${gap(key)} ms`);
    }
  });

  test('an answer that is not HTTP is a protocol error, not retried; auto falls back to GET', async () => {
    const garbage = await startGarbageServer();
    try {
      const run = await status([
        `${garbage.base}/always`,
        '--retries',
        '2',
        '--backoff',
        '0.01',
        '--format',
        'ndjson',
      ]);
      assert.equal(run.code, 1);
      const [r] = ndjson(run.stdout);
      assert.deepEqual(
        [r!.status, r!.errorKind, r!.attempts, r!.method],
        [null, 'protocol error', 1, 'GET'],
      );
      assert.match(r!.error!, /^protocol error: /);
      assert.deepEqual(garbage.requests, ['GET /always HTTP/1.1']);
      assert.match(run.stderr, /errors: protocol error: 1/);

      garbage.requests.length = 0;
      const auto = await status([
        `${garbage.base}/head-garbage`,
        '--method',
        'auto',
        '--retries',
        '0',
        '--format',
        'ndjson',
      ]);
      assert.equal(auto.code, 0, auto.stdout + auto.stderr);
      const [a] = ndjson(auto.stdout);
      assert.deepEqual([a!.status, a!.method, a!.attempts], [200, 'GET', 1]);
      assert.deepEqual(garbage.requests, [
        'HEAD /head-garbage HTTP/1.1',
        'GET /head-garbage HTTP/1.1',
      ]);
    } finally {
      await garbage.close();
    }
  });

  test('no URL requested: latency is null in JSON and - in the table', async () => {
    const json = await status(['nope', '--format', 'json']);
    const doc = JSON.parse(json.stdout) as { summary: { latencyMs: Record<string, unknown> } };
    assert.deepEqual(doc.summary.latencyMs, {
      p50: null,
      p90: null,
      p99: null,
      max: null,
      mean: null,
    });
    const table = await status(['nope']);
    assert.match(table.stdout, /\nlatency: p50 -, p90 -, p99 -, max -\n/);
  });
});

describe('tsio status: input', () => {
  test('URLs from arguments, files (blank lines and comments skipped), stdin and -f -', async () => {
    const file = join(tmp, 'urls.txt');
    await writeFile(
      file,
      `# a comment\n${server.base}/ok\n\n   ${server.base}/status/201  \r\n#${server.base}/status/500\n`,
    );
    const fromFile = await status(['-f', file, `${server.base}/status/202`, '--format', 'ndjson']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const statuses = ndjson(fromFile.stdout)
      .sort((a, b) => a.index - b.index)
      .map((r) => r.status);
    assert.deepEqual(statuses, [202, 200, 201]); // arguments first, then the file

    const stdinText = `${server.base}/status/203\n# skipped\n${server.base}/ok\n`;
    const fromStdin = await status(['--format', 'ndjson'], { input: stdinText });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(ndjson(fromStdin.stdout).length, 2);

    const dash = await status(['-f', '-', '-f', file, '--format', 'ndjson'], { input: stdinText });
    assert.equal(dash.code, 0, dash.stderr);
    assert.equal(ndjson(dash.stdout).length, 4);
  });

  test('--order input keeps the input order (gather); completed streams as they finish', async () => {
    const urls = [`${server.base}/slow?ms=900`, `${server.base}/slow?ms=300`, `${server.base}/ok`];
    const input = await status([...urls, '--order', 'input', '--format', 'ndjson']);
    assert.deepEqual(
      ndjson(input.stdout).map((r) => r.index),
      [0, 1, 2],
    );
    const completed = await status([...urls, '--order', 'completed', '--format', 'ndjson']);
    assert.deepEqual(
      ndjson(completed.stdout).map((r) => r.index),
      [2, 1, 0],
    );
  });
});

describe('tsio status: memory bounded by -c, not by the number of URLs', () => {
  test('stdin is read as the run goes: results come before stdin ends', async () => {
    let more = false;
    const run = await status(['--format', 'ndjson', '-c', '2'], {
      input: `${server.base}/ok?n=1\n# a comment\r\n${server.base}/ok?n=2\n`,
      openStdin: true,
      onStdout: (stdout, child) => {
        // Both results are out while stdin is still open: the rest comes only now.
        if (!more && stdout.split('\n').length > 2) {
          more = true;
          child.stdin!.end(`${server.base}/status/201\nnot a url`);
        }
      },
    });
    assert.ok(more, 'the first results came before the end of stdin');
    assert.equal(run.code, 1, run.stderr); // the invalid URL fails
    const results = ndjson(run.stdout).sort((a, b) => a.index - b.index);
    assert.deepEqual(
      results.map((r) => [r.index, r.status, r.errorKind]),
      [
        [0, 200, null],
        [1, 200, null],
        [2, 201, null],
        [3, null, 'invalid URL'],
      ],
    );
    assert.match(run.stderr, /4 URLs: 3 ok, 1 failed/);
  });

  // 100,000 URLs (1 in 100 requested, the others invalid, which costs no request) under a
  // 32 MB old generation: keeping the input or the results (as before: a list of URLs, a future
  // and a result per URL) runs out of heap; streaming them needs a few MB whatever the count.
  for (const order of ['completed', 'input'] as const) {
    test(`100,000 URLs in a 32 MB heap (--order ${order})`, async () => {
      const file = join(tmp, 'many.txt');
      const lines: string[] = [];
      for (let i = 0; i < 100_000; i++) {
        lines.push(i % 100 === 0 ? `${server.base}/ok?i=${i}` : `not-a-url-${i}`);
      }
      await writeFile(file, lines.join('\n') + '\n');
      server.reset();
      const run = await status(['-f', file, '--format', 'ndjson', '--order', order], {
        nodeArgs: ['--max-old-space-size=32'],
        countLines: true,
      });
      server.reset();
      assert.doesNotMatch(run.stderr, /heap out of memory/);
      assert.equal(run.code, 1, run.stderr.slice(-2000));
      assert.equal(run.lines, 100_000);
      assert.match(run.stderr, /100000 URLs: 1000 ok, 99000 failed/);
    });
  }
});

describe('tsio status: output formats', () => {
  // A URL with a comma and quotes, and one with a line break (the URL parser drops it, but the
  // url field keeps the input as given): CSV must quote both.
  const tricky = (): string[] => [
    `${server.base}/ok?a=1,2&b="x"`,
    `${server.base}/o\nk`,
    `${server.base}/status/404`,
    'bad,"url"',
  ];

  test('json: one document with results and summary', async () => {
    const run = await status([...tricky(), '--format', 'json', '--order', 'input']);
    assert.equal(run.code, 1);
    const doc = JSON.parse(run.stdout) as {
      results: Result[];
      summary: Record<string, unknown>;
    };
    assert.deepEqual(
      doc.results.map((r) => r.url),
      tricky(),
    );
    assert.deepEqual(Object.keys(doc.results[0]!), COLUMNS);
    const s = doc.summary;
    assert.deepEqual([s['total'], s['ok'], s['failed'], s['unfinished']], [4, 2, 2, 0]);
    assert.deepEqual(s['statuses'], { 200: 2, 404: 1 });
    assert.deepEqual(s['errors'], { 'invalid URL': 1 });
    for (const key of ['p50', 'p90', 'p99', 'max']) {
      assert.equal(typeof (s['latencyMs'] as Record<string, unknown>)[key], 'number');
    }
    assert.equal(typeof s['wallMs'], 'number');
    assert.equal(typeof s['requestsPerSecond'], 'number');
    assert.equal(run.stderr, '', 'no progress bar when stderr is not a terminal');
  });

  test('json with only an invalid URL: still a document, exit 1', async () => {
    const run = await status(['nope', '--format', 'json']);
    assert.equal(run.code, 1);
    const doc = JSON.parse(run.stdout) as { results: Result[] };
    assert.deepEqual(
      doc.results.map((r) => r.errorKind),
      ['invalid URL'],
    );
  });

  test('csv: RFC 4180 with a header row; the summary on stderr', async () => {
    const run = await status([...tricky(), '--format', 'csv', '--order', 'input']);
    assert.equal(run.code, 1);
    const rows = parseCsv(run.stdout);
    assert.deepEqual(rows[0], COLUMNS);
    assert.equal(rows.length, 5);
    for (const row of rows) assert.equal(row.length, 11);
    assert.deepEqual(
      rows.slice(1).map((row) => row[1]),
      tricky(),
    );
    assert.deepEqual(
      rows.slice(1).map((row) => [row[2], row[3]]),
      [
        ['true', '200'],
        ['true', '200'],
        ['false', '404'],
        ['false', ''],
      ],
    );
    assert.match(run.stdout, /"http:\/\/127\.0\.0\.1:\d+\/ok\?a=1,2&b=""x"""/);
    assert.match(run.stderr, /4 URLs: 2 ok, 2 failed/);
  });

  test('table: aligned columns and the summary on stdout', async () => {
    const run = await status([
      `${server.base}/ok`,
      `${server.base}/status/404`,
      '--order',
      'input',
    ]);
    assert.equal(run.code, 1);
    const lines = run.stdout.split('\n');
    assert.match(lines[0]!, /^RESULT\s+STATUS\s+TIME\s+TRIES\s+REDIRS\s+METHOD\s+URL$/);
    assert.match(lines[1]!, /^ok\s+200\s/);
    assert.match(lines[2]!, /^FAIL\s+404\s/);
    const urlColumn = lines[0]!.indexOf('URL');
    assert.equal(lines[1]!.indexOf('http'), urlColumn);
    assert.equal(lines[2]!.indexOf('http'), urlColumn);
    assert.match(run.stdout, /\n\n2 URLs: 1 ok, 1 failed \(ok = status 200-399\)\n/);
    assert.equal(run.stderr, '');
  });

  test('--progress forces the bar on stderr; it is cleared at the end', async () => {
    const run = await status([`${server.base}/slow?ms=400`, '--progress', '--format', 'ndjson']);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /\[[#-]+\] +\d\/1 +\d+% +ok \d +failed 0 +active \d/);
    assert.ok(run.stderr.includes('\x1b[2K'), 'the bar erases its line');
    const summary = run.stderr.slice(run.stderr.indexOf('1 URL: 1 ok'));
    assert.ok(!summary.includes('\r') && !summary.includes('\x1b'), 'no bar after the summary');
  });
});

describe('tsio status: concurrency and interruption', () => {
  const conc = (base: string, n: number): string[] =>
    Array.from({ length: n }, (_, i) => `${base}/conc?ms=150&i=${i}`);

  test('-c bounds the requests in flight', async () => {
    server.reset();
    const run = await status([...conc(server.base, 16), '-c', '4', '--format', 'ndjson']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(server.maxActive() <= 4, `max in flight ${server.maxActive()}`);
    assert.ok(server.maxActive() >= 2, 'it does run requests at once');
  });

  test('--per-host bounds each host (127.0.0.1 and localhost), -c all of them', async () => {
    server.reset();
    const urls = [...conc(server.base, 10), ...conc(server.localBase, 10)];
    const run = await status([...urls, '-c', '3', '--per-host', '2', '--format', 'ndjson']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      server.maxActiveFor('127.0.0.1') <= 2,
      `127.0.0.1: ${server.maxActiveFor('127.0.0.1')}`,
    );
    assert.ok(
      server.maxActiveFor('localhost') <= 2,
      `localhost: ${server.maxActiveFor('localhost')}`,
    );
    assert.ok(server.maxActive() <= 3, `overall: ${server.maxActive()}`);
    assert.ok(server.maxActive() >= 2);
  });

  for (const order of ['completed', 'input'] as const) {
    test(`SIGINT (--order ${order}): what finished is printed, exit 130`, async () => {
      const urls = [
        `${server.base}/ok`,
        `${server.base}/status/404`,
        ...Array.from({ length: 4 }, (_, i) => `${server.base}/slow?ms=60000&i=${i}`),
        ...Array.from({ length: 4 }, (_, i) => `${server.base}/ok?waiting=${i}`),
      ];
      let sent = false;
      // Two URLs finish at once, the slow ones hold the 4 permits, the last 4 wait: interrupt
      // when the bar shows the first two done.
      const run = await status(
        [...urls, '-c', '4', '--progress', '--format', 'ndjson', '--order', order],
        {
          onStderr: (stderr, child) => {
            if (!sent && /ok 1 {2}failed 1 {2}active 4/.test(stderr)) {
              sent = true;
              child.kill('SIGINT');
            }
          },
        },
      );
      assert.ok(sent, `the bar showed the progress: ${JSON.stringify(run.stderr.slice(-300))}`);
      assert.equal(run.code, 130, run.stderr);
      const results = ndjson(run.stdout);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 404]);
      assert.match(run.stderr, /10 URLs: 1 ok, 1 failed, 8 not finished/);
      assert.match(run.stderr, /interrupted: 8 URL\(s\) were cancelled unfinished/);
    });
  }
});

describe('tsio status: helpers (from dist)', () => {
  interface Helpers {
    parseOkRanges(text: string): { ranges: [number, number][] };
    isOk(ok: { ranges: [number, number][] }, status: number): boolean;
    csvField(v: string | number | boolean | null): string;
    parseRetryAfter(v: string | string[] | undefined, now?: number): number | null;
    redactUrl(text: string): string;
    basicAuthHeaders(url: URL): Record<string, string>;
    classifyError(e: unknown, timeoutMs: number): { kind: string; retryable: boolean };
    backoffDelay(retry: number, base: number, random: () => number): number;
    parseUrlLines(text: string): string[];
    parseHttpUrl(raw: string): URL | string;
    resultJson(r: Result): string;
  }
  const load = async (): Promise<Helpers> => {
    const mods = await Promise.all(
      ['ok-ranges.js', 'output.js', 'fetch-status.js', 'url-input.js'].map(
        (f) => import(new URL(f, DIST_CLI).href) as Promise<object>,
      ),
    );
    return Object.assign({}, ...mods) as Helpers;
  };

  test('--ok ranges', async () => {
    const h = await load();
    const ok = h.parseOkRanges('2xx, 304,400-403');
    assert.deepEqual(ok.ranges, [
      [200, 299],
      [304, 304],
      [400, 403],
    ]);
    assert.equal(h.isOk(ok, 204), true);
    assert.equal(h.isOk(ok, 301), false);
    assert.equal(h.isOk(ok, 403), true);
    for (const bad of ['', '2x', '99', '600', '300-200', '200-', 'abc']) {
      assert.throws(() => h.parseOkRanges(bad), /is not a status code/, bad);
    }
  });

  test('CSV fields, Retry-After, backoff, URL lines, URL checks', async () => {
    const h = await load();
    assert.equal(h.csvField('plain'), 'plain');
    assert.equal(h.csvField('a,b'), '"a,b"');
    assert.equal(h.csvField('say "hi"'), '"say ""hi"""');
    assert.equal(h.csvField('two\nlines'), '"two\nlines"');
    assert.equal(h.csvField(null), '');
    assert.equal(h.csvField(false), 'false');

    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    assert.equal(h.parseRetryAfter('3', now), 3000);
    assert.equal(h.parseRetryAfter('Wed, 01 Jan 2025 12:00:05 GMT', now), 5000);
    assert.equal(h.parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now), 0);
    assert.equal(h.parseRetryAfter('soon', now), null);
    assert.equal(h.parseRetryAfter(undefined, now), null);

    assert.equal(
      h.backoffDelay(1, 1000, () => 0),
      500,
    );
    assert.equal(
      h.backoffDelay(3, 1000, () => 1),
      4000,
    );
    assert.equal(
      h.backoffDelay(20, 1000, () => 1),
      30_000,
    ); // capped

    assert.deepEqual(h.parseUrlLines('a\r\n\n # c\n#d\n  b  \n'), ['a', 'b']);
    assert.equal(h.resultJson.length, 1);
    assert.equal(typeof h.parseHttpUrl('mailto:x@y'), 'string');
    assert.equal(typeof h.parseHttpUrl('http://'), 'string');
    assert.ok(h.parseHttpUrl('https://example.com/a?b') instanceof URL);
  });

  test('Retry-After: only whole seconds or an HTTP-date (three forms) count', async () => {
    const h = await load();
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    assert.equal(h.parseRetryAfter('0', now), 0);
    assert.equal(h.parseRetryAfter(' 120 ', now), 120_000);
    assert.equal(h.parseRetryAfter(['2', '9'], now), 2000);
    // Whole seconds, not a year (V8's Date.parse would take it for 1 Jan 2024).
    assert.equal(h.parseRetryAfter('2024', now), 2_024_000);
    assert.equal(h.parseRetryAfter('Wed, 01 Jan 2025 12:00:05 GMT', now), 5000); // IMF-fixdate
    assert.equal(h.parseRetryAfter('Wednesday, 01-Jan-25 12:00:05 GMT', now), 5000); // RFC 850
    assert.equal(h.parseRetryAfter('Wed Jan  1 12:00:05 2025', now), 5000); // asctime
    assert.equal(h.parseRetryAfter('Wed Jan 15 12:00:00 2025', now), 14 * 86_400_000);
    // The RFC 9110 examples: in the past, so no wait (94 is 1994, not 2094).
    for (const past of [
      'Sun, 06 Nov 1994 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994',
    ]) {
      assert.equal(h.parseRetryAfter(past, now), 0, past);
    }
    for (const bad of [
      '-5',
      '0.5',
      '1.5',
      '+3',
      '3, 4',
      '1e3',
      'soon',
      '2025-01-01T12:00:05Z',
      'Wed, 01 Jan 2025 12:00:05 UTC',
      'Wed, 1 Jan 2025 12:00:05 GMT',
      'wed, 01 jan 2025 12:00:05 GMT',
      'Wed, 31 Feb 2025 12:00:05 GMT',
      'Wed, 01 Jan 2025 24:00:00 GMT',
      'Wed, 00 Jan 2025 12:00:00 GMT',
      'Wed Jan 1 12:00:05 2025',
      'Wed, 01 Jan 2025 12:00:05 GMT, Thu, 02 Jan 2025 12:00:05 GMT',
    ]) {
      assert.equal(h.parseRetryAfter(bad, now), null, bad);
    }
  });

  test('credentials: Basic header (percent-decoded), passwords redacted', async () => {
    const h = await load();
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    assert.equal(
      h.basicAuthHeaders(new URL('http://user:pa%20ss@h/')).authorization,
      `Basic ${b64('user:pa ss')}`,
    );
    assert.equal(
      h.basicAuthHeaders(new URL('http://us%3Aer:p%C3%A9@h/')).authorization,
      `Basic ${b64('us:er:pé')}`,
    );
    assert.equal(
      h.basicAuthHeaders(new URL('http://only@h/')).authorization,
      `Basic ${b64('only:')}`,
    );
    assert.equal(h.basicAuthHeaders(new URL('http://h/')).authorization, undefined);
    assert.equal(h.redactUrl('http://user:secret@h:8/a@b'), 'http://user:***@h:8/a@b');
    assert.equal(h.redactUrl('http://user:se@cr:et@h/'), 'http://user:***@h/');
    assert.equal(h.redactUrl('http://user@h/x:y@z'), 'http://user@h/x:y@z');
    assert.equal(h.redactUrl('http://h/p?u=a:b@c'), 'http://h/p?u=a:b@c');
    assert.equal(h.redactUrl('http://h/'), 'http://h/');
    assert.equal(h.redactUrl('not a url'), 'not a url');
  });

  test('undici parser errors (no code in undici 7) are protocol errors, not retried', async () => {
    const h = await load();
    const { errors } = await import('undici');
    const parser = new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol');
    assert.equal(parser.code, undefined);
    for (const e of [parser, Object.assign(new Error('x'), { code: 'HPE_INVALID_CONSTANT' })]) {
      assert.deepEqual(
        [h.classifyError(e, 1000).kind, h.classifyError(e, 1000).retryable],
        ['protocol error', false],
      );
    }
    assert.equal(h.classifyError(new Error('odd'), 1000).kind, 'network error');
  });

  test('progress bar: 0 or no columns (a pty without a size) is 80, the line not cut', async () => {
    const { ProgressBar } = (await import(new URL('progress.js', DIST_CLI).href)) as {
      ProgressBar: new (
        stream: { columns?: number | undefined; write(s: string): boolean },
        read: () => object,
      ) => { start(): void; stop(): void };
    };
    for (const columns of [0, undefined]) {
      const written: string[] = [];
      const stream = { columns, write: (s: string) => written.push(s) > 0 };
      const bar = new ProgressBar(stream, () => ({
        done: 1,
        total: { total: 4, exact: true },
        ok: 1,
        failed: 0,
        inFlight: 3,
      }));
      bar.start();
      bar.stop();
      const drawn = written[0]!;
      assert.ok(drawn.startsWith('\r') && drawn.endsWith('\x1b[K'), JSON.stringify(drawn));
      const line = drawn.slice(1, -3);
      // The whole line, down to the seconds' unit (columns 0 used to cut its last character).
      assert.match(line, /^\[#+-+\] 1\/4 {2}25% {2}ok 1 {2}failed 0 {2}active 3 {2}\d+\.\d s$/);
      assert.ok(line.length <= 79, `fits in 80 columns: ${line.length}`);
    }
  });

  test('summary with no URL requested: latency null, shown as -', async () => {
    const { SummaryCollector, formatSummary } = (await import(
      new URL('status-summary.js', DIST_CLI).href
    )) as {
      SummaryCollector: new () => {
        summary(total: number, wallMs: number, interrupted: boolean, ok: string): object;
      };
      formatSummary(s: object): string;
    };
    const s = new SummaryCollector().summary(3, 10, true, '200-399') as {
      latencyMs: Record<string, unknown>;
      unfinished: number;
    };
    assert.equal(s.unfinished, 3);
    assert.deepEqual(Object.values(s.latencyMs), [null, null, null, null, null]);
    assert.match(formatSummary(s), /\nlatency: p50 -, p90 -, p99 -, max -\n/);
  });

  test('JSON of a result: the fields in order, as JSON.stringify would write them', async () => {
    const h = await load();
    const r: Result = {
      index: 7,
      url: 'http://x/"q"\n',
      ok: false,
      status: null,
      ms: 1.5,
      attempts: 2,
      redirects: 0,
      method: 'GET',
      finalUrl: 'http://x/',
      error: 'timeout: no answer',
      errorKind: 'timeout',
    };
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as unknown as Result;
    assert.equal(h.resultJson(shuffled), JSON.stringify(r));
  });

  test('URL input: lazy lines (CRLF, comments, a line split across chunks), -f - once', async () => {
    const { UrlInput } = (await import(new URL('url-input.js', DIST_CLI).href)) as {
      UrlInput: {
        open(s: { args: string[]; files: string[]; stdin?: NodeJS.ReadableStream }): Promise<{
          next(): Promise<string | null>;
          size(): { total: number; exact: boolean } | null;
          readonly read: number;
          readonly done: boolean;
          close(): void;
        }>;
      };
    };
    const { Readable } = await import('node:stream');
    const chunks = ['# list\r\nhttp://a/1\r\n\n  http://b', '/2  \n#x\nhttp://c/3'];
    const input = await UrlInput.open({
      args: ['arg'],
      files: ['-'],
      stdin: Readable.from(chunks),
    });
    const urls: string[] = [];
    for (let u = await input.next(); u !== null; u = await input.next()) urls.push(u);
    assert.deepEqual(urls, ['arg', 'http://a/1', 'http://b/2', 'http://c/3']);
    assert.equal(input.read, 4);
    assert.equal(input.done, true);
    assert.deepEqual(input.size(), { total: 4, exact: true });
    input.close();

    await assert.rejects(
      UrlInput.open({ args: [], files: ['-', '-'], stdin: Readable.from([]) }),
      /stdin \(-f -\) can only be read once/,
    );
    await assert.rejects(
      UrlInput.open({ args: [], files: ['-'], stdin: Readable.from(['# only\n\n']) }),
      /no URLs/,
    );
    await assert.rejects(
      UrlInput.open({ args: [], files: [tmp] }),
      /cannot read --file .* \(a directory\)/,
    );
  });

  test('input order: early results wait, cancelled ones (null) do not hold the rest', async () => {
    const { InputOrder } = (await import(new URL('input-order.js', DIST_CLI).href)) as {
      InputOrder: new (pass: (item: string | null) => void) => {
        put(index: number, item: string | null): void;
        flush(): void;
        readonly waiting: number;
      };
    };
    const passed: (string | null)[] = [];
    const order = new InputOrder((item) => passed.push(item));
    order.put(2, 'c');
    order.put(1, null);
    assert.deepEqual(passed, []);
    assert.equal(order.waiting, 2);
    order.put(0, 'a');
    assert.deepEqual(passed, ['a', null, 'c']);
    order.put(5, 'f');
    order.put(4, 'e');
    order.flush(); // 3 never came (the run was interrupted)
    assert.deepEqual(passed, ['a', null, 'c', 'e', 'f']);
    assert.equal(order.waiting, 0);
  });
});
