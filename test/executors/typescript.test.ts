import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const expected = ['ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 2, 41];

function run(args: string[]): unknown {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

describe('module tasks written in TypeScript', () => {
  test('work when compiled to JavaScript', () => {
    const out = run(['build/test/fixtures/executors/typescript-main.js']);
    assert.deepEqual(out, [...expected, ...expected]);
  });

  test('work when run through tsx, in threads and in processes', () => {
    const out = run(['--import', 'tsx', 'test/fixtures/executors/typescript-main.ts']);
    assert.deepEqual(out, [...expected, ...expected]);
  });
});
