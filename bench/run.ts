/**
 * tsio's benchmark runner: `node build/bench/run.js [scope...] [--runs N] [--quick] [--json FILE]`.
 *
 * Every measurement runs in a fresh child process (`bench/scenarios/*.ts` compiled to
 * `build/bench/scenarios/*.js`, or `bench/python/*.py`), cases alternating within each run, N runs
 * each. A table per scope gives min/median/max time, time per item and the child's peak RSS, then
 * the ratios against the targets of PERFORMANCE.md. Progress goes to stderr, the tables to stdout.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  FULL,
  QUICK,
  scopes,
  type CaseDef,
  type RatioDef,
  type ScopeDef,
  type Sizes,
} from './scopes.js';

const SCENARIOS = fileURLToPath(new URL('./scenarios/', import.meta.url));
const PYTHON = fileURLToPath(new URL('../../bench/python/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** No single child may run longer than this (a hang must not hang the runner). */
const CHILD_TIMEOUT_MS = 180_000;

const USAGE = `usage: node build/bench/run.js [scope...] [options]

scopes: gather, semaphore, scale, primitives, executors, channels, cli (default: all)
options:
  --runs N       fresh processes per case (default 3; 1 with --quick)
  --quick        small sizes, a fast smoke run
  --json FILE    also write every measurement and ratio as JSON
  --no-python    skip the Python comparison
  -h, --help     this text
`;

interface Run {
  ok: boolean;
  ms: number;
  maxRssKB: number;
  extra: Record<string, unknown>;
  error?: string;
}

interface CaseResult {
  def: CaseDef;
  runs: Run[];
  skipped?: string;
}

interface Stats {
  min: number;
  median: number;
  max: number;
  rssKB: number;
  okRuns: number;
}

interface RatioResult {
  label: string;
  value: number | null;
  /**
   * How `value` reads: a ratio (`2.00x`), a percentage (efficiency), items per second or a time
   * (`ms`).
   */
  unit: 'x' | '%' | 'items/s' | 'ms';
  against?: string;
  target?: string;
  verdict: 'PASS' | 'MISS' | 'info' | 'n/a';
}

interface ProbeResult {
  variant: string;
  n: number;
  timeoutMs: number;
  events: { event: string; ms: number; [k: string]: unknown }[];
  killed: boolean;
  status: number | null;
  summary: string;
}

// ---------------------------------------------------------------------------------------------
// Child processes

function parseJsonLines(stdout: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not ours
    }
  }
  return lines;
}

function commandFor(def: CaseDef, python: string | null): [string, string[]] {
  const args = [def.id, String(def.n)];
  if (def.side === 'python' && def.runner !== 'node')
    return [def.python ?? python ?? 'python3', ['-B', `${PYTHON}${def.script}.py`, ...args]];
  return [process.execPath, [...(def.nodeFlags ?? []), `${SCENARIOS}${def.script}.js`, ...args]];
}

function runCase(def: CaseDef, python: string | null): Run {
  const [cmd, args] = commandFor(def, python);
  const child = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const fail = (error: string): Run => ({ ok: false, ms: NaN, maxRssKB: NaN, extra: {}, error });
  if (child.error !== undefined) {
    const timedOut = (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return fail(timedOut ? `killed after ${CHILD_TIMEOUT_MS / 1000} s` : child.error.message);
  }
  const line = parseJsonLines(child.stdout).at(-1);
  if (child.status !== 0 || line === undefined || typeof line['ms'] !== 'number') {
    const why =
      child.signal !== null ? `signal ${child.signal}` : `exit code ${String(child.status)}`;
    const stderr = child.stderr.trim().split('\n').slice(-3).join(' | ');
    return fail(`${why}${stderr ? `: ${stderr}` : ''}`);
  }
  const { ms, maxRssKB, scenario: _s, variant: _v, n: _n, ...extra } = line;
  return { ok: true, ms, maxRssKB: Number(maxRssKB), extra };
}

function runProbe(variant: string, n: number, timeoutMs: number): ProbeResult {
  const child = spawnSync(
    process.execPath,
    [`${SCENARIOS}promise-all-limit.js`, variant, String(n)],
    { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' },
  );
  const events = parseJsonLines(child.stdout ?? '') as ProbeResult['events'];
  const killed = (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  const find = (name: string): ProbeResult['events'][number] | undefined =>
    events.find((e) => e.event === name);
  const settled = find('settled');
  const rejected = find('rejected');
  const timer = find('timer');
  let summary: string;
  if (settled !== undefined) summary = `settled in ${fmtMs(settled.ms)}`;
  else if (rejected !== undefined) {
    summary = `rejected after ${fmtMs(rejected.ms)}: ${String(rejected['error'])}`;
  } else if (killed) {
    summary =
      `did NOT settle within ${timeoutMs / 1000} s (killed); ` +
      (timer === undefined
        ? 'a 1 s timer never fired either: the event loop was blocked (the microtask queue never drained)'
        : `a 1 s timer fired at ${fmtMs(timer.ms)}`);
  } else {
    summary = `ended without settling (exit ${String(child.status)}, ${child.signal ?? 'no signal'})`;
  }
  return { variant, n, timeoutMs, events, killed, status: child.status, summary };
}

// ---------------------------------------------------------------------------------------------
// Numbers

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function stats(result: CaseResult): Stats | null {
  const ok = result.runs.filter((r) => r.ok);
  if (ok.length === 0) return null;
  const ms = ok.map((r) => r.ms);
  return {
    min: Math.min(...ms),
    median: median(ms),
    max: Math.max(...ms),
    rssKB: median(ok.map((r) => r.maxRssKB)),
    okRuns: ok.length,
  };
}

function medianExtra(result: CaseResult, key: string): number | undefined {
  const xs = result.runs
    .filter((r) => r.ok && typeof r.extra[key] === 'number')
    .map((r) => r.extra[key] as number);
  return xs.length > 0 ? median(xs) : undefined;
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} us`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function fmtPerItem(ms: number, n: number): string {
  const us = (ms * 1000) / n;
  if (us < 1) return `${(us * 1000).toFixed(0)} ns`;
  if (us >= 1000) return fmtMs(us / 1000);
  return `${us.toFixed(us < 10 ? 2 : 1)} us`;
}

function fmtRate(ms: number, n: number): string {
  return fmtPerSec((n / ms) * 1000);
}

/** Microseconds, one decimal below a millisecond. */
function fmtUs(us: number): string {
  return us < 1000 ? `${us.toFixed(1)} us` : fmtMs(us / 1000);
}

function fmtPerSec(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(0)}k/s`;
  return `${perSec.toFixed(0)}/s`;
}

function fmtMB(kb: number): string {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : '-';
}

/** `2^21+1`, `2^21-2`: how far `n` is from the nearest power of two. */
function pow2(n: number): string {
  const k = Math.round(Math.log2(n));
  const d = n - 2 ** k;
  return d === 0 ? `2^${k}` : `2^${k}${d > 0 ? '+' : ''}${d}`;
}

function fmtRatio(x: number): string {
  return x >= 100 ? `${x.toFixed(0)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`;
}

function fmtValue(x: number, unit: RatioResult['unit']): string {
  if (unit === '%') return `${(x * 100).toFixed(0)}%`;
  if (unit === 'items/s') return fmtPerSec(x).replace('/s', ' items/s');
  if (unit === 'ms') return fmtMs(x);
  return fmtRatio(x);
}

// ---------------------------------------------------------------------------------------------
// Output

function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function notesOf(result: CaseResult): string {
  const parts: string[] = [];
  const heap = medianExtra(result, 'heapPerTask');
  const rss = medianExtra(result, 'rssPerTask');
  const created = medianExtra(result, 'createMs');
  if (heap !== undefined) parts.push(`heap ${heap.toFixed(0)} B/task`);
  if (rss !== undefined) parts.push(`RSS ${rss.toFixed(0)} B/task`);
  if (created !== undefined) parts.push(`parked in ${fmtMs(created)}`);
  const p50 = medianExtra(result, 'p50Us');
  const p99 = medianExtra(result, 'p99Us');
  const first = medianExtra(result, 'firstUs');
  if (p50 !== undefined) parts.push(`p50 ${fmtUs(p50)}`);
  if (p99 !== undefined) parts.push(`p99 ${fmtUs(p99)}`);
  if (first !== undefined) parts.push(`first result ${fmtUs(first)}`);
  const chunksize = medianExtra(result, 'chunksize');
  if (chunksize !== undefined) parts.push(`chunksize ${chunksize.toLocaleString('en')}`);
  const workers = medianExtra(result, 'workers');
  const cpus = medianExtra(result, 'cpus');
  const parallelism = medianExtra(result, 'parallelism');
  const taskMs = medianExtra(result, 'taskMs');
  const busy = medianExtra(result, 'busy');
  if (workers !== undefined) parts.push(`${workers} worker${workers === 1 ? '' : 's'}`);
  if (cpus !== undefined && parallelism !== undefined) {
    parts.push(`cpus() ${cpus}, availableParallelism() ${parallelism}`);
  }
  if (taskMs !== undefined) parts.push(`task ${fmtMs(taskMs)}`);
  if (busy !== undefined) parts.push(`running ${busy.toFixed(2)}`);
  const rpsRuns = result.runs
    .filter((r) => r.ok && typeof r.extra['rps'] === 'number')
    .map((r) => r.extra['rps'] as number);
  if (rpsRuns.length > 1) {
    parts.push(`req/s ${fmtPerSec(Math.min(...rpsRuns))}..${fmtPerSec(Math.max(...rpsRuns))}`);
  }
  const requests = medianExtra(result, 'requests');
  const tool = result.runs.find((r) => r.ok && typeof r.extra['tool'] === 'string')?.extra['tool'];
  if (requests !== undefined && typeof tool === 'string') {
    parts.push(`${tool}: ${Math.round(requests).toLocaleString('en')} requests`);
  }
  if (result.runs.some((r) => r.ok && r.extra['gcExposed'] === false)) parts.push('(no gc!)');
  if (result.runs.some((r) => r.extra['completed'] === true)) {
    parts.push(`completed ${result.runs.filter((r) => r.ok).length}/${result.runs.length}`);
  }
  const failed = result.runs.filter((r) => !r.ok);
  if (failed.length > 0)
    parts.push(`FAILED ${failed.length}/${result.runs.length}: ${failed[0]!.error}`);
  return parts.join(', ');
}

function scopeTable(results: CaseResult[]): string {
  const header = ['case', 'n', 'min', 'median', 'max', 'per item', 'rate', 'peak RSS', 'notes'];
  const rows: string[][] = [header];
  let group: string | undefined;
  for (const result of results) {
    const { def } = result;
    if (def.group !== undefined && def.group !== group) {
      group = def.group;
      rows.push([`[${group}]`, '', '', '', '', '', '', '', '']);
    }
    const label = def.group !== undefined ? `  ${def.label}` : def.label;
    const n = def.n.toLocaleString('en');
    const s = stats(result);
    if (result.skipped !== undefined) {
      rows.push([label, n, '-', '-', '-', '-', '-', '-', `skipped: ${result.skipped}`]);
    } else if (s === null) {
      rows.push([label, n, '-', '-', '-', '-', '-', '-', notesOf(result)]);
    } else {
      // A load run (wrk) reports its own rate: requests/s, and the time per request at that rate.
      const rps = medianExtra(result, 'rps');
      const throughput = rps !== undefined && def.n <= 60;
      rows.push([
        label,
        n,
        fmtMs(s.min),
        fmtMs(s.median),
        fmtMs(s.max),
        throughput ? fmtUs(1e6 / rps) : fmtPerItem(s.median, def.n),
        throughput ? fmtPerSec(rps) : fmtRate(s.median, def.n),
        fmtMB(s.rssKB),
        notesOf(result),
      ]);
    }
  }
  return table(rows, [false, true, true, true, true, true, true, true, false]);
}

function computeRatio(def: RatioDef, byId: Map<string, CaseResult>): RatioResult {
  const metric = (id: string): number | null => {
    const r = byId.get(id);
    const s = r === undefined ? null : stats(r);
    if (r === undefined || s === null) return null;
    switch (def.metric) {
      case 'time':
        return s.median / r.def.n;
      case 'rss':
        return s.rssKB;
      case 'p50':
        return medianExtra(r, 'p50Us') ?? null;
      case 'rate':
        return (r.def.n / s.median) * 1000;
      case 'ms':
        return s.median;
      case 'extra':
        return medianExtra(r, def.key ?? '') ?? null;
    }
  };
  const absolute =
    def.metric === 'rate' ||
    def.metric === 'ms' ||
    (def.metric === 'extra' && def.den === undefined);
  const unit: RatioResult['unit'] =
    def.metric === 'rate'
      ? 'items/s'
      : def.metric === 'ms'
        ? 'ms'
        : def.perWorker === true
          ? '%'
          : 'x';
  const target =
    def.target === undefined
      ? undefined
      : `${def.target.op} ${unit === 'x' ? `${def.target.value}x` : fmtValue(def.target.value, unit)}`;
  const base = { label: def.label, unit, ...(target !== undefined ? { target } : {}) };
  const num = metric(def.num);
  let value: number | null = null;
  let against: string | undefined;
  if (absolute) {
    value = num;
  } else {
    const den = def.den ?? [];
    const dens = (Array.isArray(den) ? den : [den])
      .map((id) => ({ id, value: metric(id) }))
      .filter((d): d is { id: string; value: number } => d.value !== null)
      .sort((a, b) => a.value - b.value);
    const best = dens[0];
    if (num !== null && best !== undefined) {
      value = num / best.value;
      if (Array.isArray(den)) against = byId.get(best.id)!.def.label;
      if (def.perWorker === true) {
        const workers = medianExtra(byId.get(best.id)!, 'workers');
        value = workers === undefined ? null : value / workers;
      }
    }
  }
  if (value === null) return { ...base, value: null, verdict: 'n/a' };
  let verdict: RatioResult['verdict'] = 'info';
  if (def.target !== undefined) {
    const t = def.target.value;
    const op = def.target.op;
    const ok =
      op === '<=' ? value <= t : op === '<' ? value < t : op === '>' ? value > t : value >= t;
    verdict = ok ? 'PASS' : 'MISS';
  }
  return { ...base, value, ...(against !== undefined ? { against } : {}), verdict };
}

function ratioLines(ratios: RatioResult[]): string {
  const rows = ratios.map((r) => [
    r.label + (r.against !== undefined ? ` (best: ${r.against})` : ''),
    r.value === null ? '-' : fmtValue(r.value, r.unit),
    r.target !== undefined ? `(target ${r.target})` : '',
    r.verdict,
  ]);
  return table(rows, [false, true, false, false])
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Machine

function pythonVersion(): string | null {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim();
}

function peerVersions(): string {
  const names = [
    'p-map',
    'p-limit',
    'p-queue',
    'async-mutex',
    'async-sema',
    '@esfx/async-queue',
    'piscina',
    'poolifier',
    'tinypool',
    'workerpool',
  ];
  return names
    .map((name) => {
      try {
        const pkg = JSON.parse(
          readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8'),
        ) as { version?: string };
        return `${name} ${pkg.version ?? '?'}`;
      } catch {
        return `${name} (missing)`;
      }
    })
    .join(', ');
}

function machine(python: string | null, pythonSkip: string): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: python ?? `${pythonSkip} — Python comparison skipped`,
    peers: peerVersions(),
    loadAverage: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

// ---------------------------------------------------------------------------------------------
// Main

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      'no-python': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const sizes: Sizes = values.quick ? QUICK : FULL;
  const runs = values.runs !== undefined ? Number(values.runs) : values.quick ? 1 : 3;
  if (!Number.isSafeInteger(runs) || runs < 1) throw new RangeError(`--runs must be >= 1`);
  const all = scopes(sizes);
  const unknown = positionals.filter((p) => !all.some((s) => s.name === p));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scope: ${unknown.join(', ')}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const chosen = positionals.length > 0 ? all.filter((s) => positionals.includes(s.name)) : all;

  const python = values['no-python'] ? null : pythonVersion();
  const pythonSkip = values['no-python'] ? 'disabled by --no-python' : 'python3 not found';
  const info = machine(python, pythonSkip);
  const started = performance.now();

  const out: string[] = [];
  const print = (text = ''): void => {
    process.stdout.write(text + '\n');
    out.push(text);
  };
  print(
    `tsio benchmark — ${values.quick ? 'QUICK (small sizes)' : 'full'}, ${runs} run(s) per case`,
  );
  for (const [k, v] of Object.entries(info)) print(`  ${k}: ${v}`);
  print(
    '  method: every measurement in a fresh process, warmed up once at 1% of the size (10% for',
  );
  print(
    '          primitives), cases alternating within each run; time = the measured part inside',
  );
  print('          the process; peak RSS = maxRSS of that process; ratios use medians (time per');
  print('          item, RSS as is).');

  const json: {
    machine: Record<string, string | number>;
    runs: number;
    quick: boolean;
    scopes: unknown[];
  } = { machine: info, runs, quick: values.quick, scopes: [] };
  let pass = 0;
  let miss = 0;

  for (const scope of chosen) {
    const results = runScope(scope, runs, python, pythonSkip);
    const byId = new Map(results.map((r) => [r.def.id, r]));
    const ratios = scope.ratios.map((def) => computeRatio(def, byId));
    // Promise.all just above and just below the edge seen on Node 20, and tsio's gather above it.
    const probeSizes: [string, number][] = [
      ['promise-all', sizes.limitProbe],
      ['promise-all', 2 ** 21 - 2],
      ['tsio-gather', sizes.limitProbe],
    ];
    const probes =
      scope.limitProbe === true
        ? probeSizes.map(([v, n]) => {
            progress(`  probe ${v} over ${n.toLocaleString('en')} calls ...`);
            return runProbe(v, n, sizes.limitTimeoutMs);
          })
        : [];
    print();
    print(`== ${scope.title} ==`);
    print(scopeTable(results));
    const notes = typeof scope.notes === 'function' ? scope.notes() : (scope.notes ?? []);
    for (const note of notes) print(`  ${note}`);
    for (const probe of probes) {
      const what = probe.variant === 'promise-all' ? 'Promise.all' : 'tsio gather';
      print(
        `  ${what} over ${probe.n.toLocaleString('en')} async calls (${pow2(probe.n)}): ${probe.summary}`,
      );
    }
    print('ratios (medians):');
    print(ratioLines(ratios));
    pass += ratios.filter((r) => r.verdict === 'PASS').length;
    miss += ratios.filter((r) => r.verdict === 'MISS').length;
    json.scopes.push({
      name: scope.name,
      title: scope.title,
      cases: results.map((r) => ({
        id: r.def.id,
        label: r.def.label,
        side: r.def.side,
        n: r.def.n,
        ...(r.def.group !== undefined ? { group: r.def.group } : {}),
        ...(r.skipped !== undefined ? { skipped: r.skipped } : {}),
        stats: stats(r),
        runs: r.runs,
      })),
      ratios,
      probes,
    });
  }
  const seconds = (performance.now() - started) / 1000;
  print();
  print(`targets: ${pass} PASS, ${miss} MISS; took ${seconds.toFixed(0)} s`);
  if (values.json !== undefined) {
    writeFileSync(values.json, JSON.stringify({ ...json, seconds }, null, 2) + '\n');
    process.stderr.write(`wrote ${values.json}\n`);
  }
}

function progress(text: string): void {
  process.stderr.write(text + '\n');
}

function runScope(
  scope: ScopeDef,
  runs: number,
  python: string | null,
  pythonSkip: string,
): CaseResult[] {
  const results: CaseResult[] = scope.cases.map((def) => {
    const skipped = def.side === 'python' && python === null ? pythonSkip : def.requires?.();
    return skipped !== undefined ? { def, runs: [], skipped } : { def, runs: [] };
  });
  progress(`[${scope.name}]`);
  for (let run = 1; run <= runs; run++) {
    for (const result of results) {
      if (result.skipped !== undefined) continue;
      const r = runCase(result.def, python === null ? null : 'python3');
      result.runs.push(r);
      progress(
        `  run ${run}/${runs} ${result.def.id.padEnd(22)} ${
          r.ok ? `${fmtMs(r.ms).padStart(8)}  ${fmtMB(r.maxRssKB)}` : `FAILED ${r.error}`
        }`,
      );
    }
  }
  return results;
}

main();
