/**
 * Leak checks for every test file: imported first (`node --import`), it records each AbortSignal
 * that gets an 'abort' listener and, when the file's tests end, fails if any live signal still
 * has one, or if a timer or immediate is still active.
 */
import { after } from 'node:test';
import { getEventListeners } from 'node:events';

const tracked = new Set<WeakRef<AbortSignal>>();
const originalAdd = EventTarget.prototype.addEventListener;

/** node:test's own per-test signals are not ours to check: look at who called. */
function addedByTestRunner(): boolean {
  const frames = String(new Error().stack).split('\n').slice(3);
  const caller = frames.find((f) => !f.includes('node:internal/events'));
  return caller !== undefined && caller.includes('node:internal/test_runner');
}

type AddArgs = Parameters<EventTarget['addEventListener']>;

EventTarget.prototype.addEventListener = function (this: EventTarget, ...args: AddArgs): void {
  if (args[0] === 'abort' && this instanceof AbortSignal && !addedByTestRunner()) {
    tracked.add(new WeakRef(this));
  }
  originalAdd.apply(this, args);
};

/** Abort listeners still attached to live signals (signals the test itself listens to excluded). */
export function leftoverAbortListeners(): number {
  let count = 0;
  for (const ref of tracked) {
    const signal = ref.deref();
    if (signal === undefined) {
      tracked.delete(ref);
      continue;
    }
    count += getEventListeners(signal, 'abort').length;
  }
  return count;
}

/** Active handles that would keep the process alive or fire later. */
export function leftoverHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate');
}

/** Forget what was tracked so far (for tests that deliberately keep a listener). */
export function resetTracking(): void {
  tracked.clear();
}

after(async () => {
  // Let callbacks scheduled by the last test run before looking.
  await new Promise((resolve) => setImmediate(resolve));
  const listeners = leftoverAbortListeners();
  const handles = leftoverHandles();
  const problems: string[] = [];
  if (listeners > 0) problems.push(`${listeners} abort listener(s) left on live signals`);
  if (handles.length > 0) problems.push(`active handles left: ${handles.join(', ')}`);
  if (problems.length > 0) {
    throw new Error(`Leak check failed: ${problems.join('; ')}`);
  }
});
