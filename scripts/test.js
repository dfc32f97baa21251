#!/usr/bin/env node
// Runs the compiled tests (build/test/**/*.test.js) with node:test, each file in its own process,
// with the leak check loaded first. Extra arguments are passed to node (e.g. --test-only).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
let files = find('build/test').sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('No test files found under build/test (did the build run?)');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', './build/test/helpers/leaks.js', '--test', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
