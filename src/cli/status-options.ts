/**
 * The options of `tsio status`, parsed and validated: every mistake is a {@link UsageError}
 * naming the option, what it got and what it expects.
 */
import {
  UsageError,
  choiceOption,
  flag,
  intOption,
  numberOption,
  parseCommand,
  stringList,
  stringOption,
  type OptionSpec,
} from './args.js';
import type { MethodMode } from './fetch-status.js';
import { DEFAULT_OK, parseOkRanges, type OkRanges } from './ok-ranges.js';
import { FORMATS, type Format } from './output.js';

/** The `--order` choices: `completed` streams as results arrive, `input` keeps the input order. */
export const ORDERS = ['completed', 'input'] as const;
export type Order = (typeof ORDERS)[number];

/** `tsio status`'s options with their defaults applied. */
export interface StatusOptions {
  /** The positional arguments (URLs). */
  urls: string[];
  /** `-f/--file` values (`-` = stdin). */
  files: string[];
  concurrency: number;
  /** 0: no per-host limit (only `concurrency`). */
  perHost: number;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxRetryAfterMs: number;
  method: MethodMode;
  maxRedirects: number;
  order: Order;
  format: Format;
  ok: OkRanges;
  /** true/false when forced; null: only when stderr is a terminal. */
  progress: boolean | null;
  help: boolean;
}

/** The defaults, as the help text quotes them. */
export const DEFAULTS = {
  concurrency: 50,
  perHost: 0,
  timeout: 10,
  retries: 2,
  backoff: 0.5,
  maxRetryAfter: 30,
  method: 'get',
  maxRedirects: 5,
  order: 'completed',
  format: 'table',
  ok: DEFAULT_OK,
} as const;

const SPEC: Record<string, OptionSpec> = {
  file: { type: 'string', short: 'f', multiple: true },
  concurrency: { type: 'string', short: 'c' },
  'per-host': { type: 'string' },
  timeout: { type: 'string', short: 't' },
  retries: { type: 'string', short: 'r' },
  backoff: { type: 'string' },
  'max-retry-after': { type: 'string' },
  method: { type: 'string', short: 'm' },
  'max-redirects': { type: 'string' },
  order: { type: 'string' },
  format: { type: 'string' },
  ok: { type: 'string' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
};

/**
 * Parses `tsio status` arguments (after `status`). Throws {@link UsageError} for unknown
 * options, missing values and values out of range.
 *
 * @example
 * ```ts
 * parseStatusArgs(['-c', '10', '--format', 'json', 'http://127.0.0.1:8000/']).concurrency; // 10
 * ```
 */
export function parseStatusArgs(argv: readonly string[]): StatusOptions {
  const parsed = parseCommand(argv, SPEC);
  const str = (name: string, fallback: string | number): string =>
    stringOption(parsed, name, String(fallback));
  if (flag(parsed, 'progress') && flag(parsed, 'no-progress')) {
    throw new UsageError('options --progress and --no-progress contradict each other; give one');
  }
  let ok: OkRanges;
  try {
    ok = parseOkRanges(str('ok', DEFAULTS.ok));
  } catch (e) {
    throw new UsageError(`option --ok: ${(e as Error).message}`);
  }
  const seconds = (name: string, fallback: number, min: number, max: number): number =>
    Math.round(numberOption(name, str(name, fallback), min, max) * 1000);
  const timeoutMs = seconds('timeout', DEFAULTS.timeout, 0.001, 3600);
  return {
    urls: parsed.positionals,
    files: stringList(parsed, 'file'),
    concurrency: intOption('concurrency', str('concurrency', DEFAULTS.concurrency), 1, 10_000),
    perHost: intOption('per-host', str('per-host', DEFAULTS.perHost), 0, 10_000),
    timeoutMs,
    retries: intOption('retries', str('retries', DEFAULTS.retries), 0, 20),
    backoffMs: seconds('backoff', DEFAULTS.backoff, 0, 60),
    maxRetryAfterMs: seconds('max-retry-after', DEFAULTS.maxRetryAfter, 0, 3600),
    method: choiceOption('method', str('method', DEFAULTS.method), [
      'get',
      'auto',
      'head',
    ] as const),
    maxRedirects: intOption('max-redirects', str('max-redirects', DEFAULTS.maxRedirects), 0, 50),
    order: choiceOption('order', str('order', DEFAULTS.order), ORDERS),
    format: choiceOption('format', str('format', DEFAULTS.format), FORMATS),
    ok,
    progress: flag(parsed, 'progress') ? true : flag(parsed, 'no-progress') ? false : null,
    help: parsed.help,
  };
}
