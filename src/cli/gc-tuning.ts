/**
 * V8 tuning for `tsio status`'s process, measured on Node 20 (V8 11.3) over 10,000 to 1,000,000
 * loopback URLs at `-c 100`.
 *
 * V8 "pretenures" the objects of an allocation site (an object literal in hot code) when most of
 * them survived a young-generation collection: it then allocates them in the old generation
 * directly. A run of `tsio status` looks like that to V8 early on (a hundred requests in flight
 * at each collection, each holding a few object literals of undici, of Node and of ours), so
 * some sites get tenured; from then on every request's objects are born old, and the young ones
 * they point to survive through them. About 2.5 MB were promoted per young collection (every
 * 30 ms), which made the old generation grow to 60-90 MB between major collections while the
 * live heap stayed at 14 MB. Without pretenuring, 0.3 MB are promoted per collection, the heap
 * stays small and the run is faster. (Its memory is garbage, not retained: the command never
 * kept anything per URL; this is V8's heuristic, not a leak.)
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring for this process, unless the user's node options
 * say something about it. Call it once, before the run (V8 reads the flag at each collection).
 */
export function tuneGcForManyRequests(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): boolean {
  const given = [...execArgv, nodeOptions].some((a) => a.includes('allocation-site-pretenuring'));
  if (given) return false;
  setFlagsFromString('--no-allocation-site-pretenuring');
  return true;
}
