/**
 * Scope `cli`: `tsio serve` against the seed's FastAPI/uvicorn server and `tsio status` against
 * the seed's aiohttp `fetch_status`, same run, same load (bench/scenarios/cli.ts drives them).
 * The Python peers need Debian's /usr/bin/python3 with fastapi, uvicorn and aiohttp; without them
 * their rows are skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { CaseDef, ScopeDef, Side, Sizes } from './scopes.js';

const SYSTEM_PYTHON = '/usr/bin/python3';

const probes = new Map<string, { ok: boolean; text: string }>();

/** Imports `modules` with /usr/bin/python3 once; their versions, or why not. */
function probe(modules: string[]): { ok: boolean; text: string } {
  const key = modules.join(',');
  const known = probes.get(key);
  if (known !== undefined) return known;
  let result: { ok: boolean; text: string };
  if (!existsSync(SYSTEM_PYTHON)) result = { ok: false, text: `${SYSTEM_PYTHON} not found` };
  else {
    const code = `import sys, ${key}; print(sys.version.split()[0], ${modules
      .map((m) => `'${m}', ${m}.__version__`)
      .join(', ')})`;
    const r = spawnSync(SYSTEM_PYTHON, ['-c', code], { encoding: 'utf8', timeout: 30_000 });
    result =
      r.status === 0
        ? { ok: true, text: `Python ${r.stdout.trim()}` }
        : { ok: false, text: `${SYSTEM_PYTHON} lacks ${modules.join(' or ')}` };
  }
  probes.set(key, result);
  return result;
}

const needs = (modules: string[]) => (): string | undefined => {
  const p = probe(modules);
  return p.ok ? undefined : p.text;
};

function tool(name: string, args: string[]): string {
  const r = spawnSync(name, args, { encoding: 'utf8' });
  if (r.error !== undefined) return `${name}: absent`;
  return `${(r.stdout || r.stderr).trim().split('\n')[0] ?? ''}`;
}

/** The `cli` scope's cases and ratios. */
export function cliScope(s: Sizes): ScopeDef {
  const c = (
    id: string,
    label: string,
    side: Side,
    group: string,
    n: number,
    modules?: string[],
  ): CaseDef => ({
    id,
    label,
    side,
    script: 'cli',
    n,
    group,
    ...(side === 'python' ? { runner: 'node' as const } : {}),
    ...(modules !== undefined ? { requires: needs(modules) } : {}),
  });
  const server = ['fastapi', 'uvicorn'];
  const client = ['aiohttp'];
  const timeit = `${s.cliTimeit} concurrent GET /timeit/1`;
  const load = `GET / under wrk -t2 -c50 -d${s.cliLoadSeconds}s (n = seconds)`;
  const status = `status of ${s.cliStatusUrls.toLocaleString('en')} loopback URLs, 100 at once`;
  return {
    name: 'cli',
    title:
      'cli: tsio serve vs the seed FastAPI/uvicorn server, tsio status vs the seed aiohttp fetch_status',
    cases: [
      c('tsio-timeit', 'tsio serve --mode async', 'tsio', timeit, s.cliTimeit),
      c(
        'seed-timeit',
        'seed FastAPI + uvicorn (sync handler)',
        'python',
        timeit,
        s.cliTimeit,
        server,
      ),
      c('tsio-rps', 'tsio serve, access log on', 'tsio', load, s.cliLoadSeconds),
      c(
        'seed-rps',
        'seed FastAPI + uvicorn, access log on',
        'python',
        load,
        s.cliLoadSeconds,
        server,
      ),
      c('tsio-rps-quiet', 'tsio serve --quiet', 'tsio', load, s.cliLoadSeconds),
      c(
        'seed-rps-quiet',
        'seed FastAPI + uvicorn, access_log=False',
        'python',
        load,
        s.cliLoadSeconds,
        server,
      ),
      c('tsio-status', 'tsio status -c 100 --format ndjson', 'tsio', status, s.cliStatusUrls),
      c(
        'py-status-per-fetch',
        'seed fetch_status: ClientSession per fetch',
        'python',
        status,
        s.cliStatusUrls,
        client,
      ),
      c(
        'py-status-shared',
        'fetch_status with one shared ClientSession',
        'python',
        status,
        s.cliStatusUrls,
        client,
      ),
    ],
    ratios: [
      {
        label: `serve: tsio, ${timeit}, median time`,
        metric: 'ms',
        num: 'tsio-timeit',
        target: { op: '<', value: 1200 },
      },
      {
        label: `serve: seed / tsio time, ${timeit}`,
        metric: 'time',
        num: 'seed-timeit',
        den: 'tsio-timeit',
      },
      {
        label: 'serve: tsio / seed requests/s, GET /, access logs on',
        metric: 'extra',
        key: 'rps',
        num: 'tsio-rps',
        den: 'seed-rps',
        target: { op: '>=', value: 3 },
      },
      {
        label: 'serve: tsio / seed requests/s, GET /, access logs off',
        metric: 'extra',
        key: 'rps',
        num: 'tsio-rps-quiet',
        den: 'seed-rps-quiet',
        target: { op: '>=', value: 3 },
      },
      {
        label: 'serve: tsio / seed peak RSS under load (logs on)',
        metric: 'rss',
        num: 'tsio-rps',
        den: 'seed-rps',
      },
      {
        label: 'status: seed fetch_status (session per fetch) / tsio time',
        metric: 'time',
        num: 'py-status-per-fetch',
        den: 'tsio-status',
        target: { op: '>', value: 1 },
      },
      {
        label: 'status: fetch_status (shared session) / tsio time',
        metric: 'time',
        num: 'py-status-shared',
        den: 'tsio-status',
        target: { op: '>', value: 1 },
      },
      {
        label: 'status: tsio / seed fetch_status (session per fetch) peak RSS',
        metric: 'rss',
        num: 'tsio-status',
        den: 'py-status-per-fetch',
      },
      {
        label: 'status: tsio / fetch_status (shared session) peak RSS',
        metric: 'rss',
        num: 'tsio-status',
        den: 'py-status-shared',
      },
    ],
    notes: () => [
      `Python peers: ${probe([...server, ...client]).text}; load: ${tool('wrk', ['--version'])}`,
      'Peak RSS here is that of the process under test (the server, or the status tool), not of the',
      'driver. Servers: a fresh process per run, warmed up (20 GET /, one round of /timeit/0; 1 s of',
      'wrk before the measured run); both log every request to a pipe the driver drains (uvicorn and',
      "tsio's default), or not (--quiet / access_log=False). /timeit: one connection per request.",
      "The seed server runs its sync handler on AnyIO's 40 threads: 100 sleeps take 3 rounds.",
      'Status: the whole process (start-up included) over distinct URLs of a bare node:http target in',
      'its own process; both bounded to 100 in flight (tsio -c 100 --per-host 0; Semaphore(100) and',
      'TCPConnector(limit=100) in Python), results printed as they complete; peak RSS from GNU time.',
    ],
  };
}
