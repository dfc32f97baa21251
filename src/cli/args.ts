/**
 * Argument parsing shared by the `tsio` commands: `node:util` `parseArgs` in strict mode, with every
 * mistake turned into a {@link UsageError} (exit code 2) that names the option and what it expects.
 */
import { parseArgs } from 'node:util';

/** A mistake in how a command was called: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  /** True when `-h`/`--help` was given. */
  help: boolean;
}

/**
 * Parses `argv` against `options` (plus `-h`/`--help`). Unknown options, missing values and values
 * given to flags are usage errors.
 */
export function parseCommand(
  argv: readonly string[],
  options: Record<string, OptionSpec>,
  { positionals = true }: { positionals?: boolean } = {},
): Parsed {
  try {
    const { values, positionals: rest } = parseArgs({
      args: joinNegativeValues(argv, options),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: positionals,
    });
    const { help, ...others } = values as Record<string, string | boolean | undefined>;
    return { values: others, positionals: rest, help: help === true };
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(cleanParseMessage(e as Error));
    throw e;
  }
}

/**
 * `--port -1` reads to `parseArgs` as an option followed by another option ("ambiguous"); a
 * string option followed by something that looks like a negative number takes it as its value
 * (`--port=-1`), so that the range check can say what was expected.
 */
function joinNegativeValues(
  argv: readonly string[],
  options: Record<string, OptionSpec>,
): string[] {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (spec.short !== undefined) takesValue.add(`-${spec.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (takesValue.has(arg) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function cleanParseMessage(e: Error): string {
  // Node's messages end with advice about '--' that does not apply to tsio's commands.
  return e.message.replace(/\. To specify a positional argument.*$/s, '').replace(/\n.*$/s, '');
}

/** The value of a string option, or `fallback`. */
export function stringOption(parsed: Parsed, name: string, fallback: string): string;
export function stringOption(parsed: Parsed, name: string): string | undefined;
export function stringOption(parsed: Parsed, name: string, fallback?: string): string | undefined {
  const v = parsed.values[name];
  if (Array.isArray(v)) return v.length > 0 ? String(v[v.length - 1]) : fallback;
  return typeof v === 'string' ? v : fallback;
}

/** Every value of a repeatable string option. */
export function stringList(parsed: Parsed, name: string): string[] {
  const v = parsed.values[name];
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' ? [v] : [];
}

/** A boolean flag. */
export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** Parses `--name raw` as an integer in `[min, max]`, or throws a usage error saying so. */
export function intOption(name: string, raw: string, min: number, max: number): number {
  const n = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `option --${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** Parses `--name raw` as a finite number in `[min, max]`, or throws a usage error saying so. */
export function numberOption(name: string, raw: string, min: number, max: number): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(
      `option --${name} must be a number from ${min} to ${max}; got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** Parses `--name raw` as one of `choices`, or throws a usage error listing them. */
export function choiceOption<T extends string>(
  name: string,
  raw: string,
  choices: readonly T[],
): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(
    `option --${name} must be one of ${choices.join(', ')}; got ${JSON.stringify(raw)}`,
  );
}
