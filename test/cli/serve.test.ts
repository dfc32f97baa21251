// `tsio serve`, spawned as the real command (dist/cli/main.js): every endpoint and bad input, the
// access log, ports, signals, the three modes; plus the in-process `startServer` the demo uses.
// Waits are scaled down with --second-ms; assertions about time are orderings or generous bounds.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, request as undiciRequest } from 'undici';

const MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const SERVE_MODULE = new URL('../../../dist/cli/serve.js', import.meta.url).href;

interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly mode: string;
  readonly inFlight: number;
  close(): Promise<void>;
}
const { startServer, parseSeconds } = (await import(SERVE_MODULE)) as {
  startServer(options?: Record<string, unknown>): Promise<RunningServer>;
  parseSeconds(segment: string, max: number): number | Buffer;
};

// ---------------------------------------------------------------------------------------------
// Helpers

interface Cli {
  child: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal number) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnCli(args: string[]): {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  exited: Cli['exited'];
} {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, out, exited };
}

/** Runs `tsio serve args` to the end (for usage errors and the like). */
async function runCli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { out, exited } = spawnCli(args);
  const { code } = await exited;
  return { code, ...out };
}

/** Starts `tsio serve --port 0 ...args`, waits for its listening line; killed after the test. */
async function serve(t: TestContext, args: string[] = []): Promise<Cli> {
  const { child, out, exited } = spawnCli(['serve', '--port', '0', ...args]);
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const deadline = Date.now() + 20_000;
  let match: RegExpMatchArray | null = null;
  while ((match = /listening on (http:\/\/[^\s]+:(\d+))/.exec(out.stdout)) === null) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`tsio serve did not start: ${out.stdout} ${out.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    child,
    url: match[1]!,
    port: Number(match[2]),
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the answer was complete. */
  at: number;
  ms: number;
}

/** One request on a fresh connection (no agent: nothing stays open). */
function get(
  url: string,
  { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => (body += s));
      res.on('end', () => {
        const at = performance.now();
        resolve({ status: res.statusCode!, headers: res.headers, body, at, ms: at - start });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends `text` on a raw TCP connection and resolves with everything the server answers. */
async function raw(port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('utf8').on('data', (s: string) => (data += s));
  socket.on('error', () => undefined); // the server may reset after answering
  socket.end(text);
  await once(socket, 'close');
  return data;
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function detail422(body: string): { loc: string[]; msg: string; type: string; ctx?: unknown } {
  const parsed = JSON.parse(body) as {
    detail: { loc: string[]; msg: string; type: string; ctx?: unknown }[];
  };
  assert.equal(parsed.detail.length, 1);
  return parsed.detail[0]!;
}

// ---------------------------------------------------------------------------------------------

describe('tsio serve: endpoints (spawned)', () => {
  test("GET / and GET /timeit/:n answer FastAPI's bytes", async (t) => {
    const cli = await serve(t, ['--second-ms', '20', '--quiet']);
    const root = await get(`${cli.url}/`);
    assert.equal(root.status, 200);
    assert.equal(root.body, '{"Hello":"World"}');
    assert.equal(root.headers['content-type'], 'application/json');
    assert.equal(root.headers['content-length'], '17');

    for (const [segment, n] of [
      ['2', 2],
      ['0', 0],
      ['+3', 3],
      ['%32', 2],
      ['007', 7],
      ['-0', 0],
    ] as const) {
      const res = await get(`${cli.url}/timeit/${segment}`);
      assert.equal(res.status, 200, segment);
      assert.equal(res.body, `"sleep seconds: ${n}"`);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(res.headers['content-length'], String(res.body.length));
    }
    // A query string is ignored, as by FastAPI.
    assert.equal((await get(`${cli.url}/timeit/1?x=y`)).body, '"sleep seconds: 1"');
    assert.equal((await get(`${cli.url}/?x=y`)).body, '{"Hello":"World"}');
  });

  test('/timeit waits seconds x --second-ms', async (t) => {
    const cli = await serve(t, ['--second-ms', '150', '--quiet']);
    const res = await get(`${cli.url}/timeit/2`);
    assert.equal(res.status, 200);
    assert.ok(res.ms >= 290, `answered after ${res.ms} ms, expected >= 300`);
  });

  test('HEAD answers the headers of GET without a body', async (t) => {
    const cli = await serve(t, ['--second-ms', '0', '--quiet']);
    const res = await get(`${cli.url}/`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-length'], '17');
  });

  test('bad seconds -> 422 in FastAPI shape, saying what was wrong and what is expected', async (t) => {
    const cli = await serve(t, ['--second-ms', '0', '--max-seconds', '5', '--quiet']);
    const cases: [string, string, number | undefined][] = [
      ['abc', 'type_error.integer', undefined],
      ['1.5', 'type_error.integer', undefined],
      ['1e3', 'type_error.integer', undefined],
      ['%20', 'type_error.integer', undefined],
      ['%zz', 'type_error.integer', undefined],
      ['-1', 'value_error.number.not_ge', 0],
      ['6', 'value_error.number.not_le', 5],
      ['99999999999999999999999', 'value_error.number.not_le', 5],
    ];
    for (const [segment, type, limit] of cases) {
      const res = await get(`${cli.url}/timeit/${segment}`);
      assert.equal(res.status, 422, segment);
      assert.equal(res.headers['content-type'], 'application/json');
      const d = detail422(res.body);
      assert.deepEqual(d.loc, ['path', 'seconds']);
      assert.equal(d.type, type, segment);
      assert.match(d.msg, /expected a whole number of seconds from 0 to 5/);
      assert.match(d.msg, /got "/);
      if (limit !== undefined) assert.deepEqual(d.ctx, { limit_value: limit });
      else assert.equal(d.ctx, undefined);
    }
    assert.match(detail422((await get(`${cli.url}/timeit/abc`)).body).msg, /got "abc"/);
  });

  test('unknown paths -> 404 {"detail":"Not Found"}', async (t) => {
    const cli = await serve(t, ['--quiet']);
    for (const path of ['/nope', '/timeit', '/timeit/', '/timeit/1/2', '/Timeit/1', '//']) {
      const res = await get(`${cli.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(res.body, '{"detail":"Not Found"}');
      assert.equal(res.headers['content-type'], 'application/json');
    }
  });

  test('a trailing slash -> 307 to the path without it, as Starlette', async (t) => {
    const cli = await serve(t, ['--quiet']);
    const res = await get(`${cli.url}/timeit/2/?a=b`);
    assert.equal(res.status, 307);
    assert.equal(res.headers['location'], '/timeit/2?a=b');
  });

  test('other methods -> 405 {"detail":"Method Not Allowed"} with Allow', async (t) => {
    const cli = await serve(t, ['--quiet']);
    for (const [method, path] of [
      ['POST', '/'],
      ['PUT', '/timeit/1'],
      ['DELETE', '/timeit/1'],
      ['OPTIONS', '/'],
    ] as const) {
      const res = await get(`${cli.url}${path}`, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.body, '{"detail":"Method Not Allowed"}');
      assert.equal(res.headers['allow'], 'GET, HEAD');
    }
    // An unknown path stays a 404 whatever the method.
    assert.equal((await get(`${cli.url}/nope`, { method: 'POST' })).status, 404);
  });

  test('a long URL -> 414, large headers -> 431, garbage -> 400: JSON, server stays up', async (t) => {
    const cli = await serve(t, ['--quiet']);
    const long = await get(`${cli.url}/${'a'.repeat(9000)}`);
    assert.equal(long.status, 414);
    assert.match((JSON.parse(long.body) as { detail: string }).detail, /at most 8192/);
    // Past the parser's own limit (16 KiB) the URL is still reported as the URL.
    const longer = await get(`${cli.url}/${'a'.repeat(20_000)}`);
    assert.equal(longer.status, 414);
    assert.equal(longer.headers['content-type'], 'application/json');

    const big = await get(`${cli.url}/`, { headers: { 'x-big': 'b'.repeat(20_000) } });
    assert.equal(big.status, 431);
    assert.match((JSON.parse(big.body) as { detail: string }).detail, /16384 bytes/);

    const garbage = await raw(cli.port, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(garbage, /"detail":"Bad Request/);

    assert.equal((await get(`${cli.url}/`)).status, 200);
  });
});

describe('tsio serve: output, ports and usage (spawned)', () => {
  test('one access-log line per request on stdout; --quiet turns it off', async (t) => {
    const cli = await serve(t, ['--second-ms', '10']);
    assert.match(
      cli.stdout(),
      /^tsio serve: listening on http:\/\/127\.0\.0\.1:\d+ \(mode async\)/,
      'the first line says where',
    );
    await get(`${cli.url}/timeit/3`);
    await get(`${cli.url}/nope`);
    await until('two log lines', () => cli.stdout().includes('/nope'));
    const lines = cli.stdout().trim().split('\n').slice(1);
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^127\.0\.0\.1:\d+ - "GET \/timeit\/3 HTTP\/1\.1" 200 OK \d+(\.\d)? ms$/,
    );
    assert.match(lines[1]!, /^127\.0\.0\.1:\d+ - "GET \/nope HTTP\/1\.1" 404 Not Found [\d.]+ ms$/);

    const quiet = await serve(t, ['--quiet']);
    await get(`${quiet.url}/`);
    await get(`${quiet.url}/nope`);
    await delay(100);
    assert.equal(quiet.stdout().trim().split('\n').length, 1, 'only the listening line');
  });

  test('--port 0 picks a free port and prints it', async (t) => {
    const a = await serve(t, ['--quiet']);
    const b = await serve(t, ['--quiet']);
    assert.ok(a.port > 0 && b.port > 0 && a.port !== b.port);
    assert.equal(a.url, `http://127.0.0.1:${a.port}`);
  });

  test('a port in use -> a clear error, exit code 1', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const { port } = blocker.address() as AddressInfo;
      const r = await runCli(['serve', '--port', String(port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
      assert.match(r.stderr, /already in use \(EADDRINUSE\)/);
      assert.match(r.stderr, /--port 0/);
    } finally {
      blocker.close();
      await once(blocker, 'close');
    }
  });

  test('--help has examples; bad options are usage errors (exit 2)', async () => {
    const help = await runCli(['serve', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: tsio serve/);
    assert.match(help.stdout, /Examples:/);
    for (const flag of ['--mode', '--threads', '--host', '--port', '--max-seconds', '--quiet']) {
      assert.ok(help.stdout.includes(flag), flag);
    }
    for (const [args, pattern] of [
      [['--bogus'], /--bogus/],
      [['--mode', 'fast'], /--mode must be one of async, blocking, thread; got "fast"/],
      [['--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['--threads', '0'], /--threads must be an integer from 1/],
      [['--max-seconds', 'x'], /--max-seconds must be an integer/],
      [['extra'], /extra/],
    ] as const) {
      const r = await runCli(['serve', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /tsio serve --help/);
    }
  });
});

describe('tsio serve: shutdown (spawned)', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal}: in-flight requests finish, new ones are refused, exit code 0`, async (t) => {
      const cli = await serve(t, ['--second-ms', '1000']);
      const inFlight = get(`${cli.url}/timeit/2`);
      await delay(500); // let the request reach the server
      cli.child.kill(signal);
      await until('the shutdown message', () => cli.stderr().includes(`${signal} received`));
      await assert.rejects(get(`${cli.url}/`), /ECONNREFUSED/);
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body, '"sleep seconds: 2"');
      assert.equal(res.headers['connection'], 'close');
      const { code } = await cli.exited;
      assert.equal(code, 0);
      assert.match(cli.stderr(), /stopped/);
      assert.match(cli.stdout(), /"GET \/timeit\/2 HTTP\/1\.1" 200 OK/, 'its log line is written');
    });
  }

  test('idle keep-alive connections do not hold the shutdown up', async (t) => {
    const cli = await serve(t, ['--quiet']);
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    t.after(() => agent.close());
    const res = await undiciRequest(`${cli.url}/`, { dispatcher: agent });
    assert.equal(await res.body.text(), '{"Hello":"World"}');
    const start = performance.now();
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
    // The server's own keep-alive timeout is 5 s: closing idle connections beats it by far.
    assert.ok(performance.now() - start < 4000, 'exited without waiting for the keep-alive');
  });

  test('a second signal exits at once: 130 after SIGINT, 143 after SIGTERM', async (t) => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const cli = await serve(t, ['--quiet']);
      const hanging = get(`${cli.url}/timeit/30`).catch((e: Error) => e);
      await delay(300);
      cli.child.kill(signal);
      await until('the shutdown message', () => cli.stderr().includes(`${signal} received`));
      cli.child.kill(signal);
      assert.equal((await cli.exited).code, code);
      assert.match(cli.stderr(), /again, exiting now/);
      assert.ok((await hanging) instanceof Error, 'the cut request fails');
    }
  });
});

describe('tsio serve: modes (spawned)', () => {
  /** Starts /timeit/2 (2 x 500 ms), then GET / a moment later; which answer came first? */
  async function race(t: TestContext, mode: string): Promise<{ slow: Answer; root: Answer }> {
    const cli = await serve(t, ['--mode', mode, '--second-ms', '500', '--quiet']);
    const slow = get(`${cli.url}/timeit/2`);
    await delay(300);
    const root = get(`${cli.url}/`);
    return { slow: await slow, root: await root };
  }

  test('async: GET / is answered while /timeit waits', async (t) => {
    const { slow, root } = await race(t, 'async');
    assert.equal(slow.status, 200);
    assert.ok(root.at < slow.at, 'GET / came back first');
  });

  test('blocking: a /timeit wait stalls a concurrent GET / until it ends', async (t) => {
    const { slow, root } = await race(t, 'blocking');
    assert.equal(slow.body, '"sleep seconds: 2"');
    assert.equal(root.body, '{"Hello":"World"}');
    assert.ok(root.at >= slow.at, 'GET / came back only after the blocking wait');
    assert.ok(root.ms > 300, `GET / took ${root.ms} ms: it waited`);
  });

  test('thread: the blocking wait runs on the pool, GET / is answered meanwhile', async (t) => {
    const { slow, root } = await race(t, 'thread');
    assert.equal(slow.body, '"sleep seconds: 2"');
    assert.ok(root.at < slow.at, 'GET / came back first');
  });

  test('thread: --threads bounds how many waits overlap; async overlaps them all', async (t) => {
    const fire = async (url: string): Promise<number> => {
      const start = performance.now();
      const all = await Promise.all(Array.from({ length: 4 }, () => get(`${url}/timeit/1`)));
      assert.ok(all.every((r) => r.status === 200));
      return performance.now() - start;
    };
    const pooled = await serve(t, ['--mode', 'thread', '--threads', '2', '--second-ms', '400']);
    assert.match(pooled.stdout(), /\(mode thread, 2 threads\)/);
    const pooledMs = await fire(pooled.url);
    assert.ok(pooledMs >= 780, `4 waits on 2 threads took ${pooledMs} ms: two rounds`);
    const free = await serve(t, ['--mode', 'async', '--second-ms', '400', '--quiet']);
    const freeMs = await fire(free.url);
    assert.ok(freeMs < pooledMs, `async ${freeMs} ms < thread x2 ${pooledMs} ms`);
  });
});

describe('tsio serve: the seed clients', () => {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import httpx'], { encoding: 'utf8' });
  const skip =
    probe.error !== undefined
      ? `${python} not found`
      : probe.status !== 0
        ? `${python} has no httpx`
        : false;

  test("the seed's httpx client, unchanged but for the URL", { skip }, async (t) => {
    const cli = await serve(t, ['--second-ms', '100', '--quiet']);
    const script = `
import asyncio, sys, time, httpx
base = sys.argv[1]
async def get_timeit():
    start_time = time.time()
    async with httpx.AsyncClient() as client:
        response = client.get(base + "/timeit/1")
        response2 = client.get(base + "/timeit/2")
        r1, r2 = await asyncio.gather(response, response2)
        root = await client.get(base + "/")
        bad = await client.get(base + "/timeit/x")
    print(r1.status_code, r1.json(), r2.json(), r1.headers["content-type"], root.json()["Hello"],
          bad.status_code, bad.json()["detail"][0]["loc"], round(time.time() - start_time, 2))
asyncio.run(get_timeit())
`;
    const child = spawn(python, ['-c', script, cli.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /^200 sleep seconds: 1 sleep seconds: 2 application\/json World 422 \['path', 'seconds'\] /,
    );
  });
});

describe('startServer / close (in process)', () => {
  test('serves, closes, and leaves nothing behind, in every mode', async () => {
    for (const mode of ['async', 'blocking', 'thread']) {
      const lines: string[] = [];
      const server = await startServer({
        port: 0,
        mode,
        secondMs: 20,
        threads: 2,
        log: (line: string) => lines.push(line),
      });
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(server.mode, mode);
      const [a, b] = await Promise.all([get(`${server.url}/timeit/2`), get(`${server.url}/`)]);
      assert.equal(a.body, '"sleep seconds: 2"');
      assert.equal(b.body, '{"Hello":"World"}');
      assert.equal(lines.length, 2);
      assert.equal(server.inFlight, 0);
      await server.close();
      await assert.rejects(get(`${server.url}/`), /ECONNREFUSED/);
      assert.equal(server.close(), server.close(), 'close() is idempotent');
      await server.close();
    }
  });

  test('close() waits for in-flight requests; log: null logs nothing', async () => {
    const server = await startServer({ port: 0, secondMs: 100, log: null });
    const pending = get(`${server.url}/timeit/3`);
    await delay(100);
    assert.equal(server.inFlight, 1);
    await server.close();
    const res = await pending;
    assert.equal(res.body, '"sleep seconds: 3"');
    assert.equal(res.headers['connection'], 'close');
  });

  test('a client that goes away stops its timer (async mode)', async () => {
    const lines: string[] = [];
    const server = await startServer({ port: 0, log: (l: string) => lines.push(l) });
    const req = httpRequest(`${server.url}/timeit/60`, { agent: false });
    req.on('error', () => undefined);
    req.end();
    await until('the request', () => server.inFlight === 1);
    req.destroy();
    await until('the timer to stop', () => server.inFlight === 0);
    assert.match(lines[0]!, /"GET \/timeit\/60 HTTP\/1\.1" 499/);
    await server.close();
  });

  test('bad options are TypeErrors or RangeErrors naming the option; a listen error rejects', async () => {
    await assert.rejects(startServer({ port: -1 }), {
      name: 'RangeError',
      message:
        /"options\.port" is out of range\. It must be an integer from 0 to 65535\. Received number -1/,
    });
    await assert.rejects(startServer({ mode: 'fast' }), /options\.mode must be one of/);
    await assert.rejects(startServer({ threads: 0 }), /"options\.threads" is out of range/);
    await assert.rejects(startServer({ port: '80' as unknown as number }), TypeError);
    const server = await startServer({ port: 0, log: null });
    await assert.rejects(startServer({ port: server.port, log: null }), { code: 'EADDRINUSE' });
    await server.close();
  });

  test('a log callback that throws does not take the request or the server down', async (t) => {
    const stderr = t.mock.method(process.stderr, 'write', () => true);
    const server = await startServer({
      port: 0,
      log: () => {
        throw new Error('disk full');
      },
    });
    assert.equal((await get(`${server.url}/`)).body, '{"Hello":"World"}');
    assert.equal((await get(`${server.url}/timeit/0`)).status, 200);
    await server.close();
    stderr.mock.restore();
    assert.match(
      String(stderr.mock.calls[0]?.arguments[0]),
      /the access log failed: Error: disk full/,
    );
  });

  test('parseSeconds accepts what int() would, in range', () => {
    assert.equal(parseSeconds('5', 60), 5);
    assert.equal(parseSeconds('+5', 60), 5);
    assert.equal(parseSeconds('-0', 60), 0);
    assert.equal(parseSeconds('60', 60), 60);
    assert.ok(Buffer.isBuffer(parseSeconds('61', 60)));
    assert.ok(Buffer.isBuffer(parseSeconds('', 60)));
    assert.ok(Buffer.isBuffer(parseSeconds('0x10', 60)));
  });
});

describe('tsio serve: review fixes', () => {
  test('blocking: SIGTERM answers every request already sent, even those queued behind the wait', async (t) => {
    for (let round = 0; round < 4; round++) {
      const cli = await serve(t, ['--mode', 'blocking', '--second-ms', '200', '--quiet']);
      const all = Promise.all(
        Array.from({ length: 5 }, () => get(`${cli.url}/timeit/1`).catch((e: Error) => e)),
      );
      await delay(300); // the requests are sent; the server is in one of its waits
      cli.child.kill('SIGTERM');
      const answers = await all;
      for (const a of answers) {
        assert.ok(!(a instanceof Error), `round ${round}: ${a instanceof Error ? a.message : ''}`);
        assert.equal(a.status, 200);
        assert.equal(a.body, '"sleep seconds: 1"');
      }
      assert.equal((await cli.exited).code, 0);
      // The ones still queued when the signal was handled are counted in flight.
      const m = /finishing (\d+) in-flight/.exec(cli.stderr());
      assert.ok(m !== null && Number(m[1]) >= 1, cli.stderr());
      assert.ok(answers.some((a) => !(a instanceof Error) && a.headers['connection'] === 'close'));
    }
  });

  test('a client that left is logged 499 Client Closed Request with its address, in every mode', async (t) => {
    for (const mode of ['async', 'thread', 'blocking']) {
      const cli = await serve(t, ['--mode', mode, '--second-ms', '300']);
      const req = httpRequest(`${cli.url}/timeit/2`, { agent: false });
      req.on('error', () => undefined);
      req.end();
      await delay(150); // the request reached the server and waits
      req.destroy();
      await until('its log line', () => cli.stdout().includes('/timeit/2'));
      const line = cli.stdout().trim().split('\n').at(-1)!;
      assert.match(
        line,
        /^127\.0\.0\.1:\d+ - "GET \/timeit\/2 HTTP\/1\.1" 499 Client Closed Request [\d.]+ ms$/,
        mode,
      );
      // The server is still fine.
      assert.equal((await get(`${cli.url}/`)).status, 200);
    }
  });

  test('a request without Host -> JSON 400 saying so, logged; HTTP/1.0 needs none', async (t) => {
    const cli = await serve(t);
    const answer = await raw(cli.port, 'GET / HTTP/1.1\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(answer, /content-type: application\/json/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { detail: string };
    assert.match(body.detail, /Host header is missing/);
    await until('its log line', () => cli.stdout().includes('"GET / HTTP/1.1" 400'));
    assert.match(cli.stdout(), /127\.0\.0\.1:\d+ - "GET \/ HTTP\/1\.1" 400 Bad Request [\d.]+ ms/);
    const old = await raw(cli.port, 'GET / HTTP/1.0\r\n\r\n');
    assert.match(old, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(old.endsWith('{"Hello":"World"}'));
  });

  test('absolute-form request targets are routed on their path (RFC 9112 3.2.2)', async (t) => {
    const cli = await serve(t, ['--second-ms', '0', '--quiet']);
    const send = (target: string): Promise<string> =>
      raw(
        cli.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${cli.port}\r\nConnection: close\r\n\r\n`,
      );
    const base = `http://127.0.0.1:${cli.port}`;
    const timeit = await send(`${base}/timeit/0`);
    assert.match(timeit, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(timeit.endsWith('"sleep seconds: 0"'));
    assert.ok((await send(`${base}/timeit/2?x=y`)).endsWith('"sleep seconds: 2"'));
    assert.ok((await send(base)).endsWith('{"Hello":"World"}'));
    assert.ok((await send(`${base}?a=b`)).endsWith('{"Hello":"World"}'));
    assert.match(
      await send(`${base}/timeit/2/?a=b`),
      /^HTTP\/1\.1 307 [^]*location: \/timeit\/2\?a=b\r\n/i,
    );
    assert.match(await send(`${base}/nope`), /^HTTP\/1\.1 404 /);
  });

  test("seconds with white space or '_' between digits are read as Python's int() reads them", async (t) => {
    const cli = await serve(t, ['--second-ms', '0', '--quiet']);
    for (const [segment, n] of [
      ['%201', 1],
      ['1%20', 1],
      ['%091%0A', 1],
      ['1_0', 10],
      ['+1_0', 10],
      ['%D9%A3', 3], // ARABIC-INDIC DIGIT THREE
    ] as const) {
      const res = await get(`${cli.url}/timeit/${segment}`);
      assert.equal(res.status, 200, segment);
      assert.equal(res.body, `"sleep seconds: ${n}"`, segment);
    }
    for (const segment of ['1__0', '_1', '1_', '+_1', '-%201', '%E2%80%8B1', '1%201']) {
      const res = await get(`${cli.url}/timeit/${segment}`);
      assert.equal(res.status, 422, segment);
      assert.equal(detail422(res.body).type, 'type_error.integer', segment);
    }
  });

  test('parseSeconds agrees with pydantic v1 (len <= 4300, then int(v))', (t) => {
    const samples = [
      ' 1',
      '\t1\n',
      '\v1\f',
      '\r1 ',
      '1_0',
      '1__0',
      '_1',
      '1_',
      '+_1',
      '+1_0',
      '-1_0',
      '0_0',
      '\u00851',
      '\u00a01',
      '\u30001',
      '1\u2028',
      '\u0663',
      '\u0661\u0660',
      '\uff15',
      '\u{1d7d9}',
      '\ufeff1',
      '\u200b1',
      '\x1c1',
      '\x7f1',
      '- 1',
      '1 1',
      '',
      ' ',
      '1.0',
      '0x1',
      '٣_٣',
      `${'0'.repeat(4299)}7`,
      `${'0'.repeat(4300)}7`,
    ];
    const python = '/usr/bin/python3';
    const script =
      'import json,sys\nfor s in json.load(sys.stdin):\n  try: print(json.dumps(int(s) if len(s) <= 4300 else None))\n  except ValueError: print("null")';
    const r = spawnSync(python, ['-c', script], {
      input: JSON.stringify(samples),
      encoding: 'utf8',
    });
    if (r.error !== undefined || r.status !== 0) {
      t.skip(`${python} is not usable`);
      return;
    }
    const want = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as number | null);
    samples.forEach((s, i) => {
      const got = parseSeconds(encodeURIComponent(s), 1000);
      const w = want[i]!;
      if (w === null) {
        assert.ok(Buffer.isBuffer(got), JSON.stringify(s));
        assert.equal(detail422(got.toString()).type, 'type_error.integer', JSON.stringify(s));
      } else if (w < 0 || w > 1000) {
        assert.ok(Buffer.isBuffer(got), JSON.stringify(s));
      } else {
        assert.equal(got, w, JSON.stringify(s));
      }
    });
  });
});
