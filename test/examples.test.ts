// The runnable examples (examples/*.ts, compiled to build/examples) must run and exit cleanly:
// docs that cannot rot.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = fileURLToPath(new URL('../examples/', import.meta.url));

describe('examples', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    test(`${file} runs to the end and exits 0`, async () => {
      const { stdout } = await run(process.execPath, [dir + file], { timeout: 60_000 });
      assert.ok(stdout.length > 0, 'it prints what happened');
    });
  }
});
