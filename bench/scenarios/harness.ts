/**
 * The child-process side of the benchmark: each scenario file is run as
 * `node build/bench/scenarios/<file>.js <variant> <n>` in a fresh process. It warms the variant up
 * once at a small size, runs it once at full size, and prints one JSON line:
 * `{"scenario","variant","n","ms","maxRssKB",...extra}`.
 */

/** What a variant reports: its own timing (so set-up can stay outside it) and any extra fields. */
export interface Measured {
  ms: number;
  [extra: string]: number | string | boolean;
}

/** A variant: does the work for `n` items and says how long the measured part took. */
export type Variant = (n: number) => Promise<Measured>;

/** Times `fn` with `performance.now()`; returns the milliseconds and what `fn` resolved with. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Throws unless `actual === expected`: a benchmark that did not do the work must not report. */
export function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
  }
}

/** `[0, 1, ..., n-1]`. */
export function range(n: number): number[] {
  const items = new Array<number>(n);
  for (let i = 0; i < n; i++) items[i] = i;
  return items;
}

/** `0 + 1 + ... + (n-1)`: exact below 2^53. */
export function sumTo(n: number): number {
  return (n * (n - 1)) / 2;
}

/** Calls `global.gc()` twice when the process runs with `--expose-gc`; false otherwise. */
export function fullGc(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  gc();
  return true;
}

/** The warm-up size for a run of `n`: `fraction` of it, at least 100 (never more than `n`). */
export function warmupSize(n: number, fraction = 0.01): number {
  return Math.min(n, Math.max(100, Math.floor(n * fraction)));
}

/**
 * Runs the variant named by `process.argv[2]` with `n = process.argv[3]`: a warm-up at
 * {@link warmupSize} (1% of n by default; `warmup` of it if given), then the measured run, then
 * one JSON line on stdout.
 */
export async function runScenario(
  scenario: string,
  variants: Record<string, Variant>,
  warmup = 0.01,
): Promise<void> {
  const [name = '', nArg = ''] = process.argv.slice(2);
  const variant = variants[name];
  const n = Number(nArg);
  if (variant === undefined || !Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(
      `usage: node ${process.argv[1] ?? scenario} <variant> <n>\n` +
        `variants: ${Object.keys(variants).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  await variant(warmupSize(n, warmup));
  const measured = await variant(n);
  const line = {
    scenario,
    variant: name,
    n,
    ...measured,
    maxRssKB: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}
