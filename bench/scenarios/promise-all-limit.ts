/**
 * `node promise-all-limit.js <promise-all|tsio-gather> <n>`: does a combinator over n resolved
 * async calls settle? Prints one JSON line per event (`created`, `settled`, `timer`) as it
 * happens, so a parent that kills this process after a deadline still sees how far it got. The 1 s
 * timer shows whether the event loop is still turning (a spinning microtask queue starves it).
 */
import { gather } from 'tsio';

const [variant = '', nArg = ''] = process.argv.slice(2);
const n = Number(nArg);
const f = async (): Promise<number> => 1;
const t0 = performance.now();

function report(event: string, fields: Record<string, unknown> = {}): void {
  const line = { variant, n, event, ms: performance.now() - t0, ...fields };
  process.stdout.write(JSON.stringify(line) + '\n');
}

if ((variant !== 'promise-all' && variant !== 'tsio-gather') || !Number.isSafeInteger(n) || n < 1) {
  process.stderr.write('usage: node promise-all-limit.js <promise-all|tsio-gather> <n>\n');
  process.exitCode = 2;
} else {
  const calls = Array.from({ length: n }, () => f());
  report('created');
  const timer = setTimeout(() => report('timer'), 1000);
  const all: PromiseLike<number[]> = variant === 'promise-all' ? Promise.all(calls) : gather(calls);
  all.then(
    (results) => {
      report('settled', { length: results.length, maxRssKB: process.resourceUsage().maxRSS });
      clearTimeout(timer);
    },
    (error: unknown) => {
      report('rejected', { error: String(error) });
      clearTimeout(timer);
    },
  );
}
