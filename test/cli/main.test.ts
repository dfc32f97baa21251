// The `tsio` entry point: help, version, unknown commands, spawned as users run it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tsio(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tsio', () => {
  test('--help lists every command with examples and exits 0', async () => {
    const r = await tsio('--help');
    assert.equal(r.code, 0);
    for (const name of ['demo', 'serve', 'status'])
      assert.match(r.stdout, new RegExp(`\\n  ${name} `));
    assert.match(r.stdout, /Examples:/);
  });

  test('no command prints the help and exits 2', async () => {
    const r = await tsio();
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Usage: tsio <command>/);
  });

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const r = await tsio('--version');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test('an unknown command is a usage error naming the commands', async () => {
    const r = await tsio('serv');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "serv"; expected one of demo, serve, status/);
  });

  for (const name of ['demo', 'serve', 'status']) {
    test(`tsio ${name} --help shows usage with examples; an unknown option exits 2`, async () => {
      const help = await tsio(name, '--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`tsio ${name}`));
      assert.match(help.stdout, /Examples?:/);
      const bad = await tsio(name, '--no-such-option');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--no-such-option/);
      assert.match(bad.stderr, new RegExp(`Run 'tsio ${name} --help' for usage`));
    });
  }

  test('package.json names dist/cli/main.js as the tsio bin, with a node shebang', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { bin: Record<string, string> };
    assert.equal(pkg.bin['tsio'], 'dist/cli/main.js');
    assert.match(readFileSync(MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});
