import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from 'tsio';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}.js`, import.meta.url));

function start(name: string): {
  output: () => string;
  ready: Promise<void>;
  exit: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
} {
  const child = spawn(process.execPath, [fixture(name)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready')) onReady();
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { output: () => out, ready, exit, kill: (s) => child.kill(s) };
}

describe('run', () => {
  test('resolves with the value of main and removes its signal handlers', async () => {
    const p = start('run-result');
    assert.equal(await p.exit, 0);
    assert.match(p.output(), /value 42 listeners 0/);
  });

  test('SIGINT cancels main, waits for its clean-up, and exits with 130', async () => {
    const p = start('run-signal');
    await p.ready;
    p.kill('SIGINT');
    assert.equal(await p.exit, 130);
    assert.match(p.output(), /cleaned up/);
    assert.doesNotMatch(p.output(), /not reached/);
  });

  test('SIGTERM cancels main, waits for its clean-up, and exits with 143', async () => {
    const p = start('run-signal');
    await p.ready;
    p.kill('SIGTERM');
    assert.equal(await p.exit, 143);
    assert.match(p.output(), /cleaned up/);
  });

  test('runs in-process with handleSignals off', async () => {
    assert.equal(await run(() => 'in process', { handleSignals: false }), 'in process');
    assert.equal(process.listenerCount('SIGINT'), 0);
  });

  test('a failing main rejects run with its error', async () => {
    await assert.rejects(
      run(async () => {
        throw new Error('main failed');
      }),
      /main failed/,
    );
    assert.equal(process.listenerCount('SIGTERM'), 0);
  });

  test('bad arguments throw naming the argument', async () => {
    assert.throws(() => run(1 as never), /"main" argument must be a function/);
  });
});
