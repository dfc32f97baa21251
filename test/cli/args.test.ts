// The argument parsing shared by the tsio commands: every mistake is a UsageError saying what was
// expected.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

interface Args {
  UsageError: new (message: string) => Error;
  parseCommand(
    argv: readonly string[],
    options: Record<string, { type: 'string' | 'boolean'; short?: string }>,
    opts?: { positionals?: boolean },
  ): { values: Record<string, unknown>; positionals: string[]; help: boolean };
  intOption(name: string, raw: string, min: number, max: number): number;
  numberOption(name: string, raw: string, min: number, max: number): number;
  choiceOption<T extends string>(name: string, raw: string, choices: readonly T[]): T;
}
// dist/cli is not in the package's exports: load the built module by path.
const args = (await import(new URL('../../../dist/cli/args.js', import.meta.url).href)) as Args;
const { UsageError, parseCommand, intOption, numberOption, choiceOption } = args;

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

describe('parseCommand', () => {
  test('reads options, flags, positionals and --help', () => {
    const r = parseCommand(['--port', '80', '-q', 'x', '--help'], OPTIONS);
    assert.deepEqual(r.values, { port: '80', quiet: true });
    assert.deepEqual(r.positionals, ['x']);
    assert.equal(r.help, true);
  });

  test('an unknown option, a missing value and a value given to a flag are usage errors', () => {
    assert.throws(() => parseCommand(['--nope'], OPTIONS), UsageError);
    assert.throws(() => parseCommand(['--port'], OPTIONS), /--port <value>' argument missing/);
    assert.throws(() => parseCommand(['--quiet=1'], OPTIONS), /does not take an argument/);
    assert.throws(() => parseCommand(['x'], OPTIONS, { positionals: false }), UsageError);
  });

  test('a negative number after an option is its value, so the range check can explain it', () => {
    assert.deepEqual(parseCommand(['--port', '-1'], OPTIONS).values, { port: '-1' });
    assert.deepEqual(parseCommand(['-p', '-2.5'], OPTIONS).values, { port: '-2.5' });
    assert.throws(() => intOption('port', '-1', 0, 65_535), {
      name: 'UsageError',
      message: 'option --port must be an integer from 0 to 65535; got "-1"',
    });
    // Still an option when it is not number-like.
    assert.throws(() => parseCommand(['--port', '-q'], OPTIONS), UsageError);
    // After --, everything is positional.
    assert.deepEqual(parseCommand(['--', '--port', '-1'], OPTIONS).positionals, ['--port', '-1']);
  });
});

describe('option values', () => {
  test('intOption takes integers in range only', () => {
    assert.equal(intOption('n', ' 7 ', 0, 10), 7);
    for (const bad of ['', '1.5', '1e3', '0x10', '11', 'abc']) {
      assert.throws(() => intOption('n', bad, 0, 10), /option --n must be an integer from 0 to 10/);
    }
  });

  test('numberOption takes finite numbers in range only', () => {
    assert.equal(numberOption('t', '0.25', 0, 1), 0.25);
    for (const bad of ['', 'NaN', 'Infinity', '2', '-0.1']) {
      assert.throws(() => numberOption('t', bad, 0, 1), /option --t must be a number from 0 to 1/);
    }
  });

  test('choiceOption lists the choices', () => {
    assert.equal(choiceOption('mode', 'b', ['a', 'b'] as const), 'b');
    assert.throws(() => choiceOption('mode', 'c', ['a', 'b'] as const), {
      message: 'option --mode must be one of a, b; got "c"',
    });
  });
});
