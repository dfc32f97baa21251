// `tsio demo`, spawned as the real command (dist/cli/main.js), plus unit tests of the timeline
// picture and the trace file it draws and writes. Demos run at a small scale (`--scale 20`: one
// seed second is 20 ms); assertions are about structure, never about tight timings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The modules under test, from the built package (dist/cli is not in the package's exports).
const dist = (path: string): string => new URL(`../../../dist/cli/${path}`, import.meta.url).href;

type SpanKind = 'async' | 'busy' | 'queued' | 'mark';
interface Span {
  lane: string;
  label: string;
  start: number;
  end: number;
  kind: SpanKind;
}
interface TimelineInstance {
  begin(lane: string, label?: string, kind?: SpanKind): () => void;
  span<T>(lane: string, label: string, body: () => T, kind?: SpanKind): Promise<T>;
  mark(lane: string, label: string): void;
  add(lane: string, label: string, start: number, end: number, kind?: SpanKind): void;
  spans(): Span[];
  elapsed(): number;
}
interface RenderOptions {
  width?: number;
  color?: boolean;
  ascii?: boolean;
  indent?: string;
}
interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
}
interface TraceSection {
  name: string;
  offset: number;
  spans: Span[];
}

const { DEMOS } = (await import(dist('demos/index.js'))) as {
  DEMOS: readonly { name: string; title: string; python: string }[];
};
const { Timeline, renderTimeline, formatMs, autoWidth } = (await import(dist('timeline.js'))) as {
  Timeline: new (clock?: () => number) => TimelineInstance;
  renderTimeline(spans: readonly Span[], options?: RenderOptions): string;
  formatMs(ms: number): string;
  autoWidth(columns: number | undefined): number;
};
const { buildTrace } = (await import(dist('trace.js'))) as {
  buildTrace(sections: readonly TraceSection[]): {
    traceEvents: TraceEvent[];
    displayTimeUnit: string;
  };
};

const MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const QUICK = ['--scale', '20'];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsio demo ...args` to its end (killed after `limit` ms) and collects its output. */
function tsio(args: readonly string[], limit = 60_000): Promise<Outcome> {
  return start(args, limit).done;
}

/** Starts `tsio demo ...args`: the child (to signal it) and its outcome. */
function start(
  args: readonly string[],
  limit = 60_000,
): { child: ChildProcess; done: Promise<Outcome> } {
  const child = spawn(process.execPath, [MAIN, 'demo', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<Outcome>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A test that closes stdout on purpose (EPIPE) destroys the stream: no error then.
    child.stdout.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), limit);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The pids of the live (not zombie) children of `pid`, read from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Whether process `pid` is still running (not a zombie). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

interface JsonReport {
  second: number;
  ok: boolean;
  totalMs: number;
  demos: {
    name: string;
    ok: boolean;
    startMs: number;
    durationMs: number;
    times: Record<string, number>;
    results: Record<string, unknown>;
    log: string[];
    spans: Span[];
  }[];
}

describe('tsio demo (spawned)', () => {
  test('--help shows usage, options and examples', async () => {
    const { code, stdout } = await tsio(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: tsio demo/);
    for (const option of ['--list', '--json', '--trace FILE', '--real', '--scale MS']) {
      assert.ok(stdout.includes(option), `help mentions ${option}`);
    }
    assert.match(stdout, /Examples:\n\s+tsio demo/);
  });

  test('--list names every demo, one line each, in seed order', async () => {
    const { code, stdout } = await tsio(['--list']);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, DEMOS.length);
    lines.forEach((line, i) => {
      const demo = DEMOS[i]!;
      assert.ok(line.startsWith(`${demo.name} `), line);
      assert.ok(line.includes(demo.title), line);
    });
    const names = DEMOS.map((d) => d.name);
    for (const expected of [
      'clients',
      'tasks',
      'wait',
      'future',
      'thread-pool',
      'run-in-executor',
    ]) {
      assert.ok(names.includes(expected), expected);
    }
    for (const expected of ['to-thread', 'collect', 'map-order', 'cpu', 'channels']) {
      assert.ok(names.includes(expected), expected);
    }
    for (const name of names) assert.match(name, /^[a-z]+(-[a-z]+)*$/);
  });

  test('--list --json is a JSON list of the demos', async () => {
    const { code, stdout } = await tsio(['--list', '--json']);
    assert.equal(code, 0);
    const list = JSON.parse(stdout) as { name: string; python: string }[];
    assert.deepEqual(
      list.map((d) => d.name),
      DEMOS.map((d) => d.name),
    );
    assert.ok(list.every((d) => d.python.length > 0));
  });

  describe('each demo runs by name', () => {
    for (const demo of DEMOS) {
      test(demo.name, async () => {
        const { code, stdout, stderr } = await tsio([demo.name, ...QUICK]);
        assert.equal(code, 0, `exit code 0; stderr: ${stderr}\n${stdout}`);
        assert.ok(stdout.includes(`━━ 1/1 ${demo.name}: ${demo.title}`), 'its heading');
        assert.ok(stdout.includes(`python: ${demo.python}`), 'the Python idea');
        assert.match(stdout, /: [\d,.]+ (ms|s) = [\d.]+ seed s/, 'a measured time');
        assert.match(stdout, /┬─+/, 'a time axis');
        assert.match(stdout, /[█▓░]/, 'bars');
        assert.match(stdout, /1 demo ran in /);
        assert.ok(!stdout.includes('\x1b['), 'no colour when stdout is not a terminal');
        assert.equal(stderr, '');
      });
    }
  });

  test('--json prints one document with every demo: times, results, spans', async () => {
    const { code, stdout, stderr } = await tsio(['--json', ...QUICK]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as JsonReport;
    assert.equal(report.ok, true);
    assert.equal(report.second, 20);
    assert.deepEqual(
      report.demos.map((d) => d.name),
      DEMOS.map((d) => d.name),
    );
    let previousStart = -1;
    for (const d of report.demos) {
      assert.equal(d.ok, true, d.name);
      assert.ok(d.startMs > previousStart, `${d.name} starts after the one before`);
      previousStart = d.startMs;
      const times = Object.values(d.times);
      assert.ok(times.length > 0, `${d.name} has times`);
      assert.ok(
        times.every((t) => Number.isFinite(t) && t >= 0),
        `${d.name}: ${JSON.stringify(d.times)}`,
      );
      assert.ok(d.spans.length > 0, `${d.name} has spans`);
      for (const s of d.spans) {
        assert.ok(s.end >= s.start && s.start >= -1, `${d.name}: ${JSON.stringify(s)}`);
        assert.ok(['async', 'busy', 'queued', 'mark'].includes(s.kind));
      }
    }
    const byName = new Map(report.demos.map((d) => [d.name, d]));
    assert.deepEqual(byName.get('map-order')?.results['map'], [3, 2, 4]);
    assert.deepEqual(byName.get('process-pool')?.results['map'], [60, 30, 40]);
    assert.equal(byName.get('wait')?.results['pendingStillRunning'], true);
    assert.deepEqual(byName.get('wait')?.results['afterTimeout'], { done: 1, pending: 1 });
    // Completion orders depend on timing (20 ms apart at this scale): only their contents count.
    const sorted = (v: unknown): unknown[] => [...(v as unknown[])].sort();
    assert.deepEqual(sorted(byName.get('map-order')?.results['asCompleted']), [2, 3, 4]);
    assert.deepEqual(sorted(byName.get('collect')?.results['asCompleted']), [
      'https://www.apple.com',
      'https://www.google.com',
    ]);
    assert.deepEqual(sorted(byName.get('run-in-executor')?.results['order']), [
      'apple.com',
      'google.com',
    ]);
    const cpu = byName.get('cpu')!.results;
    assert.ok((cpu['cores'] as number) >= 1);
    assert.ok(
      Number.isFinite(cpu['threadsSpeedup']) && Number.isFinite(cpu['processesEfficiency']),
    );
    // Generous: gathering 1 s and 2 s takes well under the 3 s of doing them in turn.
    const clients = byName.get('clients')!.times;
    assert.ok(clients['gathered']! < clients['sequential']!, JSON.stringify(clients));
  });

  test('channels --json: the pipeline sum is exact, progress reaches 100% on both pools', async () => {
    const { code, stdout, stderr } = await tsio(['channels', '--json', ...QUICK]);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', 'no progress bar when stderr is not a terminal');
    const report = JSON.parse(stdout) as JsonReport;
    const demo = report.demos[0]!;
    assert.equal(demo.name, 'channels');
    assert.equal(demo.ok, true);
    const { pipeline, progress, counter } = demo.results as {
      pipeline: {
        items: number;
        received: number;
        sum: number;
        expected: number;
        ok: boolean;
        perTransform: number[];
        itemsPerSecond: number;
      };
      progress: Record<'threads' | 'processes', { messages: number; percent: number }>;
      counter: { expected: number; lock: number; add: number; unlocked?: number };
    };
    const n = pipeline.items;
    assert.equal(pipeline.expected, (n * (n + 1) * (2 * n + 1)) / 6);
    assert.equal(pipeline.sum, pipeline.expected);
    assert.equal(pipeline.received, n);
    assert.equal(pipeline.ok, true);
    assert.equal(
      pipeline.perTransform.reduce((s, x) => s + x, 0),
      n,
      'every item went through exactly one transform',
    );
    assert.ok(pipeline.itemsPerSecond > 0);
    for (const kind of ['threads', 'processes'] as const) {
      assert.equal(progress[kind].percent, 100, kind);
      assert.equal(progress[kind].messages, 20, `${kind}: every progress message arrived`);
    }
    // The locked and atomic counts are exact; the unlocked one (timing-dependent) only at most.
    assert.equal(counter.lock, counter.expected);
    assert.equal(counter.add, counter.expected);
    if (counter.unlocked !== undefined) assert.ok(counter.unlocked <= counter.expected);
    for (const key of ['pipeline', 'producer', 'transforms', 'sink', 'progressThreads']) {
      assert.ok(Number.isFinite(demo.times[key]), key);
    }
    const lanes = new Set(demo.spans.map((s) => s.lane));
    for (const lane of ['producer', 'transform 1', 'transform 2', 'sink (main)']) {
      assert.ok(lanes.has(lane), `a bar for ${lane}`);
    }
    assert.equal(demo.spans.filter((s) => s.lane === 'threads: progress').length, 20);
  });

  test('--trace FILE writes a Chrome/Perfetto trace of the whole run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsio-demo-'));
    try {
      const file = join(dir, 'run.json');
      const { code, stdout, stderr } = await tsio(['tasks', 'wait', '--trace', file, ...QUICK]);
      assert.equal(code, 0, stderr);
      assert.ok(stdout.includes(`trace written to ${file}`));
      const doc = JSON.parse(await readFile(file, 'utf8')) as { traceEvents: TraceEvent[] };
      const events = doc.traceEvents;
      const complete = events.filter((e) => e.ph === 'X');
      assert.ok(complete.length >= 4);
      for (const e of complete) {
        assert.ok(Number.isInteger(e.ts) && Number.isInteger(e.dur) && e.dur! > 0);
        assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid));
      }
      const names = (what: string, pid?: number) =>
        events
          .filter((e) => e.ph === 'M' && e.name === what && (pid === undefined || e.pid === pid))
          .map((e) => e.args?.['name']);
      assert.deepEqual(names('process_name'), ['1 tasks', '2 wait']);
      assert.deepEqual(names('thread_name', 1), ['t1', 'do_it', 't2']);
      assert.ok(names('thread_name', 2).includes('real_async(2)'));
      // The demos follow each other on the time axis.
      const endOfFirst = Math.max(
        ...complete.filter((e) => e.pid === 1).map((e) => e.ts! + e.dur!),
      );
      const startOfSecond = Math.min(...complete.filter((e) => e.pid === 2).map((e) => e.ts!));
      assert.ok(startOfSecond >= endOfFirst, `${startOfSecond} >= ${endOfFirst}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an unwritable --trace path is a usage error before anything runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsio-demo-'));
    try {
      const missing = join(dir, 'no-such-dir', 'x.json');
      const noDir = await tsio(['tasks', '--json', '--trace', missing, ...QUICK]);
      assert.equal(noDir.code, 2);
      assert.equal(noDir.stdout, '');
      assert.equal(
        noDir.stderr.split('\n')[0],
        `tsio demo: cannot write the trace to ${JSON.stringify(missing)}: its directory does not exist`,
      );
      assert.match(noDir.stderr, /Run 'tsio demo --help' for usage/);
      assert.doesNotMatch(noDir.stderr, /\n\s+at /); // no stack
      const isDir = await tsio(['tasks', '--trace', dir, ...QUICK]);
      assert.equal(isDir.code, 2);
      assert.equal(isDir.stdout, '');
      assert.match(
        isDir.stderr,
        new RegExp(`cannot write the trace to "${dir}": it is a directory\n`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test(
    'a trace that fails to be written at the end: one line, exit 1, JSON printed',
    {
      skip: process.platform !== 'linux' && 'needs /dev/full',
    },
    async () => {
      // /dev/full opens for writing and fails every write with ENOSPC.
      const { code, stdout, stderr } = await tsio([
        'tasks',
        '--json',
        '--trace',
        '/dev/full',
        ...QUICK,
      ]);
      assert.equal(code, 1);
      const report = JSON.parse(stdout) as JsonReport;
      assert.equal(report.ok, true);
      assert.deepEqual(
        report.demos.map((d) => d.name),
        ['tasks'],
      );
      assert.match(stderr, /^tsio demo: could not write the trace to "\/dev\/full": .*\n$/);
      assert.equal(stderr.split('\n').length, 2, stderr); // one line
    },
  );

  test('SIGINT with --json and --trace: the document and the trace are still written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsio-demo-'));
    try {
      const file = join(dir, 'run.json');
      // --real: process-pool's a(60) takes 6 s, so the signal surely arrives while it runs.
      const run = start(['process-pool', 'cpu', '--real', '--json', '--trace', file]);
      await delay(1500);
      run.child.kill('SIGINT');
      const { code, stdout, stderr } = await run.done;
      assert.equal(code, 130, stderr);
      const report = JSON.parse(stdout) as JsonReport & { interrupted: boolean };
      assert.equal(report.interrupted, true);
      assert.equal(report.ok, false);
      assert.equal(report.demos.length, 1); // cpu never started
      const demo = report.demos[0]! as JsonReport['demos'][number] & {
        interrupted?: boolean;
        error?: string;
      };
      assert.equal(demo.name, 'process-pool');
      assert.equal(demo.interrupted, true);
      assert.equal(demo.ok, false);
      assert.equal(demo.error, undefined);
      assert.ok(report.totalMs < 5000, `cancelled, not finished: ${report.totalMs} ms`);
      const trace = JSON.parse(await readFile(file, 'utf8')) as { traceEvents: TraceEvent[] };
      assert.deepEqual(
        trace.traceEvents.filter((e) => e.name === 'process_name').map((e) => e.args?.['name']),
        ['1 process-pool'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // The signal goes once the demo has printed `mark` (it is then in the middle of its work): a
  // fixed delay raced the cpu demo, which takes 1.1-1.8 s with --real on this kind of machine.
  for (const [name, signal, exit, mark] of [
    ['clients', 'SIGTERM', 143, /GET \/ ->/],
    ['cpu', 'SIGINT', 130, /serial: /],
  ] as const) {
    test(`${signal} during ${name}: reported as interrupted, not failed; exit ${exit}`, async () => {
      const run = start([name, '--real']);
      let seen = '';
      await new Promise<void>((resolve) => {
        const onData = (d: Buffer | string): void => {
          seen += String(d);
          if (mark.test(seen)) {
            run.child.stdout!.off('data', onData);
            resolve();
          }
        };
        run.child.stdout!.on('data', onData);
      });
      run.child.kill(signal);
      const { code, stdout, stderr } = await run.done;
      assert.equal(code, exit, stderr);
      assert.match(stdout, /\n {3}INTERRUPTED after /);
      assert.match(
        stdout,
        new RegExp(`interrupted after .*: 0 of 1 demos finished \\(${name} was cancelled\\)`),
      );
      assert.doesNotMatch(stdout, /failed|FAILED/);
      assert.equal(stderr, '');
    });
  }

  test(
    'a closed stdout (EPIPE) cancels the run, stops every worker process, exit 0',
    {
      skip: process.platform !== 'linux' && 'reads /proc',
    },
    async () => {
      const run = start(['process-pool']);
      const pid = run.child.pid!;
      const workers = new Set<number>();
      let closed = false;
      run.child.stdout!.once('data', () => {
        // The heading has arrived: close the pipe, so the next line written fails with EPIPE.
        run.child.stdout!.destroy();
        closed = true;
      });
      let exited = false;
      const outcome = run.done.finally(() => (exited = true));
      while (!exited) {
        for (const child of childrenOf(pid)) workers.add(child);
        await delay(10);
      }
      const { code, stderr } = await outcome;
      assert.ok(closed);
      assert.equal(code, 0, stderr);
      assert.equal(stderr, '');
      assert.ok(workers.size > 0, 'the pool started worker processes');
      const survivors = [...workers].filter(alive);
      assert.deepEqual(survivors, [], 'no worker process outlives the command');
    },
  );

  test('an unknown demo is a usage error that lists the demos', async () => {
    const { code, stdout, stderr } = await tsio(['tasks', 'nope']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /unknown demo "nope"; the demos are: clients, tasks, wait/);
    assert.match(stderr, /Run 'tsio demo --help' for usage/);
  });

  test('an unknown option, a bad value and --real with --scale are usage errors', async () => {
    const unknown = await tsio(['--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--bogus/);
    assert.match(unknown.stderr, /tsio demo --help/);
    const bad = await tsio(['--scale', 'fast']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--scale must be an integer from 10 to 1000; got "fast"/);
    const both = await tsio(['--real', '--scale', '50']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--real and --scale/);
    const missing = await tsio(['--trace']);
    assert.equal(missing.code, 2);
  });
});

interface Ctx {
  time(key: string, ms: number, meaning: string): void;
  log(line: string): void;
  timeline: TimelineInstance;
}
interface FakeDemo {
  name: string;
  title: string;
  python: string;
  seed: string;
  run(ctx: Ctx): Promise<void>;
}
interface Report {
  ok: boolean;
  demos: { name: string; ok: boolean; error?: string; times: Record<string, number> }[];
}
const { runDemos } = (await import(dist('demos/runner.js'))) as {
  runDemos(demos: readonly FakeDemo[], options: Record<string, unknown>): Promise<Report>;
};

describe('runDemos', () => {
  test('a demo that throws is reported and the next one still runs', async () => {
    let text = '';
    const boom: FakeDemo = {
      name: 'boom',
      title: 'throws',
      python: 'raise',
      seed: '-',
      run: async () => {
        throw new Error('boom went the demo');
      },
    };
    const fine: FakeDemo = {
      name: 'fine',
      title: 'works',
      python: 'pass',
      seed: '-',
      run: async (ctx) => {
        ctx.timeline.mark('main', 'here');
        ctx.log('hello');
        ctx.time('total', 200, 'two seed seconds');
      },
    };
    const report = await runDemos([boom, fine], {
      second: 100,
      json: false,
      color: false,
      ascii: false,
      width: 80,
      write: (t: string) => (text += t),
      signal: new AbortController().signal,
    });
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.demos.map((d) => [d.name, d.ok]),
      [
        ['boom', false],
        ['fine', true],
      ],
    );
    assert.match(report.demos[0]!.error!, /boom went the demo/);
    assert.deepEqual(report.demos[1]!.times, { total: 200 });
    assert.match(text, /━━ 1\/2 boom: throws\n/);
    assert.match(text, /FAILED: Error: boom went the demo/);
    assert.match(text, /total: 200 ms = 2\.00 seed s {2}two seed seconds/);
    assert.match(text, /1 of 2 demos failed: boom/);
  });

  test('an abort cancels the current demo: interrupted, not failed; no demo after it', async () => {
    let text = '';
    const controller = new AbortController();
    const waits: FakeDemo = {
      name: 'waits',
      title: 'waits for the signal',
      python: 'await asyncio.sleep(60)',
      seed: '-',
      run: (ctx) =>
        new Promise<void>((_resolve, reject) => {
          const signal = (ctx as Ctx & { signal: AbortSignal }).signal;
          signal.addEventListener('abort', () => reject(new Error('fetch failed')), {
            once: true,
          });
          setTimeout(() => controller.abort(), 10);
        }),
    };
    let ranAfter = false;
    const after: FakeDemo = {
      name: 'after',
      title: 'never runs',
      python: 'pass',
      seed: '-',
      run: async () => {
        ranAfter = true;
      },
    };
    const report = (await runDemos([waits, after], {
      second: 100,
      json: false,
      color: false,
      ascii: false,
      width: 80,
      write: (t: string) => (text += t),
      signal: controller.signal,
    })) as Report & { interrupted: boolean };
    assert.equal(ranAfter, false);
    assert.equal(report.ok, false);
    assert.equal(report.interrupted, true);
    assert.equal(report.demos.length, 1);
    const demo = report.demos[0]! as Report['demos'][number] & { interrupted?: boolean };
    assert.equal(demo.interrupted, true);
    assert.equal(demo.error, undefined);
    assert.match(text, /INTERRUPTED after /);
    assert.match(text, /interrupted after .*: 0 of 2 demos finished \(waits was cancelled\)/);
    assert.doesNotMatch(text, /FAILED|failed/);
  });
});

describe('autoWidth', () => {
  test("a terminal's columns, at least 60 and at most 120; 100 without a terminal", () => {
    assert.equal(autoWidth(30), 60);
    assert.equal(autoWidth(59), 60);
    assert.equal(autoWidth(60), 60);
    assert.equal(autoWidth(87), 87);
    assert.equal(autoWidth(120), 120);
    assert.equal(autoWidth(200), 120);
    assert.equal(autoWidth(undefined), 100);
    assert.equal(autoWidth(0), 100); // a terminal that does not say
  });

  test('a narrow terminal draws the timelines as --width 60 does', async () => {
    const picture = (width: number): string =>
      renderTimeline([{ lane: 'a lane', label: 'x', start: 0, end: 10, kind: 'async' }], {
        width,
      });
    assert.equal(picture(autoWidth(30)), picture(60));
    assert.notEqual(picture(30), picture(60));
  });
});

describe('renderTimeline', () => {
  const span = (lane: string, start: number, end: number, kind: Span['kind'] = 'async'): Span => ({
    lane,
    label: lane,
    start,
    end,
    kind,
  });
  /** The bar part of each lane row: from after the lane column to the note. */
  const bars = (picture: string, laneWidth: number, barWidth: number): string[] =>
    picture
      .split('\n')
      .map((line) => [...line].slice(laneWidth + 1, laneWidth + 1 + barWidth).join(''));

  test('places bars by time: a row per lane, scaled to the width', () => {
    // width 80, lanes 1 wide: 80 - 1 - 24 - 3 = 52 cells for 0..100 ms.
    const picture = renderTimeline(
      [span('a', 0, 50), span('b', 50, 100), span('c', 25, 75, 'busy')],
      {
        width: 80,
      },
    );
    const [a, b, c] = bars(picture, 1, 52);
    assert.equal(a, '█'.repeat(26) + ' '.repeat(26));
    assert.equal(b, ' '.repeat(26) + '█'.repeat(26));
    assert.equal(c, ' '.repeat(13) + '▓'.repeat(26) + ' '.repeat(13));
    const lines = picture.split('\n');
    assert.ok(lines[0]!.startsWith('a █'));
    assert.ok(lines[0]!.endsWith('50 ms'), 'a single bar is annotated with its duration');
    assert.match(lines[3]!, /^ {2}┬─+┬/, 'the axis');
    assert.match(lines[4]!, /^ {2}0 .* 100 ms$/, 'tick labels in ms');
    const legend = lines.slice(5).join('\n');
    assert.match(legend, /█ awaiting [^]*▓ busy/, 'a legend of the kinds shown');
  });

  test('several spans share a lane; marks draw on top; ASCII on request', () => {
    const spans: Span[] = [
      { lane: 'worker', label: 'queued', start: 0, end: 20, kind: 'queued' },
      { lane: 'worker', label: 'job', start: 20, end: 100, kind: 'busy' },
      { lane: 'main', label: 'got it', start: 100, end: 100, kind: 'mark' },
    ];
    const picture = renderTimeline(spans, { width: 70, ascii: true });
    assert.ok(/^[\x20-\x7e\n]*$/.test(picture), 'only ASCII');
    const [worker, main] = bars(picture, 6, 70 - 6 - 24 - 3);
    assert.match(worker!, /^\.{7,9}#+$/);
    assert.match(main!, /^ +\|$/);
    assert.ok(
      picture.split('\n')[0]!.endsWith('queued, job'),
      'labels of a lane with several bars',
    );
  });

  test('colour only when asked; long lane names are cut; no spans says so', () => {
    const spans = [span('a very long lane name indeed', 0, 10)];
    assert.ok(!renderTimeline(spans).includes('\x1b['));
    assert.ok(renderTimeline(spans, { color: true }).includes('\x1b[36m█'));
    assert.ok(renderTimeline(spans).startsWith('a very long lane name…'));
    assert.equal(renderTimeline([]), '(nothing was recorded)\n');
  });

  test('formatMs', () => {
    assert.equal(formatMs(0.42), '0.4 ms');
    assert.equal(formatMs(203.4), '203 ms');
    assert.equal(formatMs(1234), '1,234 ms');
    assert.equal(formatMs(12_345), '12.3 s');
  });
});

describe('Timeline', () => {
  test('records spans and marks on its clock, relative to its origin', async () => {
    let now = 1000;
    const timeline = new Timeline(() => now);
    const end = timeline.begin('t1', 'real_async(1)');
    now = 1100;
    end();
    end(); // once only
    await timeline.span(
      't2',
      'job',
      () => {
        now = 1250;
        return 'x';
      },
      'busy',
    );
    timeline.mark('main', 'done');
    timeline.add('t3', 'remote', 1010, 1020, 'queued');
    assert.deepEqual(timeline.spans(), [
      { lane: 't1', label: 'real_async(1)', start: 0, end: 100, kind: 'async' },
      { lane: 't2', label: 'job', start: 100, end: 250, kind: 'busy' },
      { lane: 'main', label: 'done', start: 250, end: 250, kind: 'mark' },
      { lane: 't3', label: 'remote', start: 10, end: 20, kind: 'queued' },
    ]);
    assert.equal(timeline.elapsed(), 250);
    assert.throws(() => timeline.add('x', 'x', 5, 4), RangeError);
  });

  test('span() ends the span when the body throws', async () => {
    let now = 0;
    const timeline = new Timeline(() => now);
    await assert.rejects(
      timeline.span('t', 't', () => {
        now = 5;
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(timeline.spans()[0]?.end, 5);
  });
});

describe('buildTrace', () => {
  test('a process per section, a thread per lane, X events in microseconds', () => {
    const doc = buildTrace([
      {
        name: 'first',
        offset: 0,
        spans: [{ lane: 'a', label: 'job', start: 1, end: 2.5, kind: 'busy' }],
      },
      {
        name: 'second',
        offset: 10,
        spans: [
          { lane: 'b', label: 'wait', start: 0, end: 4, kind: 'async' },
          { lane: 'b', label: 'tick', start: 4, end: 4, kind: 'mark' },
        ],
      },
    ]);
    assert.equal(doc.displayTimeUnit, 'ms');
    const x = doc.traceEvents.filter((e) => e.ph === 'X');
    assert.deepEqual(x, [
      { name: 'job', cat: 'busy', ph: 'X', ts: 1000, dur: 1500, pid: 1, tid: 1 },
      { name: 'wait', cat: 'async', ph: 'X', ts: 10_000, dur: 4000, pid: 2, tid: 1 },
    ]);
    assert.deepEqual(
      doc.traceEvents.filter((e) => e.ph === 'i'),
      [{ name: 'tick', cat: 'mark', ph: 'i', s: 't', ts: 14_000, pid: 2, tid: 1 }],
    );
    const meta = doc.traceEvents.filter((e) => e.ph === 'M' && e.name.endsWith('_name'));
    assert.deepEqual(
      meta.map((e) => [e.name, e.pid, e.tid, e.args?.['name']]),
      [
        ['process_name', 1, 0, 'first'],
        ['thread_name', 1, 1, 'a'],
        ['process_name', 2, 0, 'second'],
        ['thread_name', 2, 1, 'b'],
      ],
    );
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(doc)));
  });
});
