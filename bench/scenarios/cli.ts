/**
 * Scope `cli`: the `tsio` command against the seed's Python programs, each case in a fresh
 * process (`node build/bench/scenarios/cli.js <variant> <n>`), which starts the process under
 * test, drives it and prints one JSON line like the other scenarios. Unlike them, `maxRssKB` is
 * the peak RSS of the process under test (the server, or the status tool), not of this driver.
 *
 * - `tsio-timeit`, `seed-timeit` (n = requests): `tsio serve --mode async` and the seed's
 *   FastAPI/uvicorn server (`bench/python/seed_server.py`, Debian's /usr/bin/python3), n
 *   concurrent `GET /timeit/1`, one connection each; ms = first sent to last answered.
 * - `tsio-rps`, `seed-rps`, `tsio-rps-quiet`, `seed-rps-quiet` (n = seconds): `GET /` under
 *   `wrk -t2 -c50 -d{n}s` after a 1 s warm-up (autocannon in this process when wrk is absent);
 *   extra `rps` and the latency percentiles. Access log on (both servers' default) or off
 *   (`--quiet`, uvicorn's `access_log=False`); the logs go to a pipe this driver drains.
 * - `tsio-status`, `py-status-per-fetch`, `py-status-shared` (n = URLs): n distinct loopback URLs
 *   of a bare node:http target (`cli-target.js`, its own process), `tsio status -c 100` (ndjson,
 *   completion order) against the seed's aiohttp `fetch_status` (`bench/python/fetch_status.py`,
 *   a session per fetch as the seed, or one shared session) bounded by `Semaphore(100)`; ms = the
 *   whole process, start-up included; peak RSS from GNU time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const TARGET = fileURLToPath(new URL('./cli-target.js', import.meta.url));
const PYTHON_DIR = join(ROOT, 'bench/python');
/** Debian's Python, where fastapi, uvicorn and aiohttp are packaged. */
const SYSTEM_PYTHON = '/usr/bin/python3';
const WRK = '/usr/bin/wrk';
const GNU_TIME = '/usr/bin/time';
/** URLs in flight at once in the status cases, for both tools. */
const STATUS_CONCURRENCY = 100;
/** wrk's load: threads and connections. */
const WRK_THREADS = 2;
const WRK_CONNECTIONS = 50;

interface Line {
  ms: number;
  maxRssKB: number;
  [extra: string]: number | string | boolean;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Proc {
  child: ChildProcess;
  /** stdout so far (kept whole only when asked; otherwise the last 4 KiB). */
  stdout(): string;
  stderr(): string;
  lines(): number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(cmd: string, args: string[], keepStdout = false): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let lines = 0;
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) lines++;
    out = keepStdout ? out + s : (out + s).slice(-4096);
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-4096)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, lines: () => lines, exited };
}

async function stop(proc: Proc): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timer);
}

/** Peak RSS (VmHWM) of a live process, in KB. */
async function peakRssKB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return m === null ? NaN : Number(m[1]);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `GET url` until it answers 200 (the server is up), or fails after 30 s. */
async function waitReady(url: string, proc: Proc): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.child.exitCode !== null) {
      throw new Error(`server exited (${proc.child.exitCode}): ${proc.stderr()}`);
    }
    try {
      const res = await request(url, { reset: true });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready after 30 s: ${proc.stderr()}`);
    await delay(50);
  }
}

// ---------------------------------------------------------------------------------------------
// Servers

type Which = 'tsio' | 'seed';

async function startServer(which: Which, quiet: boolean): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc =
    which === 'tsio'
      ? start(process.execPath, [
          MAIN,
          'serve',
          '--port',
          String(port),
          ...(quiet ? ['--quiet'] : []),
        ])
      : start(SYSTEM_PYTHON, [
          '-B',
          join(PYTHON_DIR, 'seed_server.py'),
          String(port),
          ...(quiet ? ['--no-access-log'] : []),
        ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${url}/`, proc);
  } catch (e) {
    await stop(proc);
    throw e;
  }
  return { proc, url };
}

/** n concurrent `GET /timeit/1`, one connection each. */
async function timeit(which: Which, n: number): Promise<Line> {
  const { proc, url } = await startServer(which, false);
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  try {
    const get = async (path: string): Promise<string> => {
      const res = await request(`${url}${path}`, { dispatcher: agent });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${path}: status ${res.statusCode}`);
      return body;
    };
    // Warm-up: the server's first requests, and n connections opened.
    for (let i = 0; i < 20; i++) await get('/');
    await Promise.all(Array.from({ length: n }, () => get('/timeit/0')));
    const t0 = performance.now();
    const bodies = await Promise.all(Array.from({ length: n }, () => get('/timeit/1')));
    const ms = performance.now() - t0;
    if (!bodies.every((b) => b === '"sleep seconds: 1"')) throw new Error('unexpected body');
    return { ms, maxRssKB: await peakRssKB(proc.child.pid!), requests: n };
  } finally {
    await agent.close();
    await stop(proc);
  }
}

/** A wrk latency such as `812.00us`, `2.31ms` or `1.02s`, in microseconds. */
function wrkUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (m === null) return NaN;
  const scale = { us: 1, ms: 1e3, s: 1e6, m: 60e6 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * scale;
}

interface Load {
  rps: number;
  requests: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  tool: string;
}

async function runWrk(url: string, seconds: number): Promise<Load> {
  const proc = start(WRK, [
    `-t${WRK_THREADS}`,
    `-c${WRK_CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    url,
  ]);
  const { code } = await proc.exited;
  const out = proc.stdout();
  if (code !== 0) throw new Error(`wrk exited ${code}: ${proc.stderr()}`);
  const num = (re: RegExp): number => {
    const m = re.exec(out);
    return m === null ? NaN : Number(m[1]);
  };
  const lat = (pct: string): number => {
    const m = new RegExp(`^\\s+${pct}%\\s+(\\S+)`, 'm').exec(out);
    return m === null ? NaN : wrkUs(m[1]!);
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    out,
  );
  const errors =
    (Number.isFinite(num(/Non-2xx or 3xx responses: (\d+)/))
      ? num(/Non-2xx or 3xx responses: (\d+)/)
      : 0) + (socketErrors === null ? 0 : socketErrors.slice(1).reduce((a, b) => a + Number(b), 0));
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p50Us: lat('50'),
    p99Us: lat('99'),
    errors,
    tool: 'wrk',
  };
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}

/** The fallback when wrk is absent: autocannon, in this process. */
async function runAutocannon(url: string, seconds: number): Promise<Load> {
  const specifier = 'autocannon'; // untyped: a variable keeps tsc from resolving it
  const mod = (await import(specifier)) as {
    default: (opts: Record<string, unknown>) => Promise<AutocannonResult>;
  };
  const r = await mod.default({ url, connections: WRK_CONNECTIONS, duration: seconds });
  return {
    rps: r.requests.average,
    requests: r.requests.total,
    p50Us: r.latency.p50 * 1000,
    p99Us: r.latency.p99 * 1000,
    errors: r.errors + r.non2xx,
    tool: 'autocannon',
  };
}

/** `GET /` for `seconds` under wrk (or autocannon), after a 1 s warm-up. */
async function rps(which: Which, seconds: number, quiet: boolean): Promise<Line> {
  const { proc, url } = await startServer(which, quiet);
  try {
    const load = existsSync(WRK) ? runWrk : runAutocannon;
    await load(`${url}/`, 1);
    const t0 = performance.now();
    const r = await load(`${url}/`, seconds);
    const ms = performance.now() - t0;
    if (!(r.requests > 0) || r.errors > 0) {
      throw new Error(`load run: ${r.requests} requests, ${r.errors} errors`);
    }
    const maxRssKB = await peakRssKB(proc.child.pid!);
    return { ms, maxRssKB, ...r };
  } finally {
    await stop(proc);
  }
}

// ---------------------------------------------------------------------------------------------
// Status

type StatusTool = 'tsio' | 'py-per-fetch' | 'py-shared';

async function status(tool: StatusTool, n: number): Promise<Line> {
  const target = start(process.execPath, [TARGET]);
  const dir = await mkdtemp(join(tmpdir(), 'tsio-bench-'));
  try {
    const deadline = Date.now() + 10_000;
    while (!target.stdout().includes('\n')) {
      if (Date.now() > deadline || target.child.exitCode !== null) {
        throw new Error(`target server did not start: ${target.stderr()}`);
      }
      await delay(20);
    }
    const { port } = JSON.parse(target.stdout().split('\n')[0]!) as { port: number };
    const base = `http://127.0.0.1:${port}`;
    // Warm the target up (its JIT), so both tools meet the same server.
    const agent = new Agent();
    for (let i = 0; i < 10; i++) {
      await Promise.all(
        Array.from({ length: 100 }, async () =>
          (await request(`${base}/`, { dispatcher: agent })).body.dump(),
        ),
      );
    }
    await agent.close();

    const file = join(dir, 'urls.txt');
    const urls = Array.from({ length: n }, (_, i) => `${base}/item/${i}`);
    await writeFile(file, urls.join('\n') + '\n');
    const rssFile = join(dir, 'rss.txt');
    const c = String(STATUS_CONCURRENCY);
    const [cmd, ...args] =
      tool === 'tsio'
        ? [
            process.execPath,
            MAIN,
            'status',
            '-f',
            file,
            '-c',
            c,
            '--per-host',
            '0',
            '--format',
            'ndjson',
            '--no-progress',
            '--order',
            'completed',
          ]
        : [
            SYSTEM_PYTHON,
            '-B',
            join(PYTHON_DIR, 'fetch_status.py'),
            file,
            c,
            tool === 'py-shared' ? 'shared' : 'per-fetch',
          ];
    const timed = existsSync(GNU_TIME);
    const t0 = performance.now();
    const proc = timed
      ? start(GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], true)
      : start(cmd, args, true);
    let peak = NaN;
    // Without GNU time: the last VmHWM read before the process ends.
    const poll = timed
      ? undefined
      : setInterval(() => {
          peakRssKB(proc.child.pid!).then(
            (kb) => (peak = kb),
            () => undefined,
          );
        }, 20);
    const { code } = await proc.exited;
    const ms = performance.now() - t0;
    if (poll !== undefined) clearInterval(poll);
    if (code !== 0) throw new Error(`${tool} exited ${code}: ${proc.stderr()}`);
    if (timed) peak = Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1));
    const out = proc.stdout();
    const ok =
      tool === 'tsio'
        ? out.split('\n').filter((l) => l.includes('"ok":true')).length
        : out.split('\n').filter((l) => l.includes("'status': 200")).length;
    if (ok !== n) throw new Error(`${tool}: ${ok} of ${n} URLs answered 200`);
    return {
      ms,
      maxRssKB: peak,
      rps: (n / ms) * 1000,
      concurrency: STATUS_CONCURRENCY,
    };
  } finally {
    await stop(target);
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

const VARIANTS: Record<string, (n: number) => Promise<Line>> = {
  'tsio-timeit': (n) => timeit('tsio', n),
  'seed-timeit': (n) => timeit('seed', n),
  'tsio-rps': (n) => rps('tsio', n, false),
  'seed-rps': (n) => rps('seed', n, false),
  'tsio-rps-quiet': (n) => rps('tsio', n, true),
  'seed-rps-quiet': (n) => rps('seed', n, true),
  'tsio-status': (n) => status('tsio', n),
  'py-status-per-fetch': (n) => status('py-per-fetch', n),
  'py-status-shared': (n) => status('py-shared', n),
};

const [name = '', nArg = ''] = process.argv.slice(2);
const variant = VARIANTS[name];
const n = Number(nArg);
if (variant === undefined || !Number.isSafeInteger(n) || n < 1) {
  process.stderr.write(
    `usage: node ${process.argv[1] ?? 'cli.js'} <variant> <n>\nvariants: ${Object.keys(VARIANTS).join(', ')}\n`,
  );
  process.exitCode = 2;
} else {
  const measured = await variant(n);
  process.stdout.write(`${JSON.stringify({ scenario: 'cli', variant: name, n, ...measured })}\n`);
}
