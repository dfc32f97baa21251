/**
 * Leak checks for every test file: imported first (`node --import`), it records each AbortSignal
 * that gets an 'abort' listener and, when the file's tests end, fails if any live signal still
 * has one, if a timer, immediate or child-process handle is still active, or if a child process of
 * the test file is still running (the process table is checked, so pool workers cannot hide).
 */
import { after } from 'node:test';
import { getEventListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/**
 * Pool workers inherit `--import` of this file (threads and forked children inherit execArgv): the
 * checks are for the test process only, and node:test must not start a harness in a worker.
 */
const inPoolWorker = !isMainThread || /worker-main\.js$/.test(process.argv[1] ?? '');

const tracked = new Set<WeakRef<AbortSignal>>();
const originalAdd = EventTarget.prototype.addEventListener;

/** node:test's own per-test signals are not ours to check: look at who called. */
function addedByTestRunner(): boolean {
  const frames = String(new Error().stack).split('\n').slice(3);
  const caller = frames.find((f) => !f.includes('node:internal/events'));
  return caller !== undefined && caller.includes('node:internal/test_runner');
}

type AddArgs = Parameters<EventTarget['addEventListener']>;

if (!inPoolWorker) {
  EventTarget.prototype.addEventListener = function (this: EventTarget, ...args: AddArgs): void {
    if (args[0] === 'abort' && this instanceof AbortSignal && !addedByTestRunner()) {
      tracked.add(new WeakRef(this));
    }
    originalAdd.apply(this, args);
  };
}

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
  return process
    .getActiveResourcesInfo()
    .filter((r) => r === 'Timeout' || r === 'Immediate' || r === 'ProcessWrap');
}

/** Child processes of this process still alive (Linux: read from /proc; elsewhere none known). */
export function childProcesses(): string[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children: string[] = [];
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') {
        children.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
      }
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** Forget what was tracked so far (for tests that deliberately keep a listener). */
export function resetTracking(): void {
  tracked.clear();
}

if (!inPoolWorker)
  after(async () => {
    // Let callbacks scheduled by the last test run before looking.
    await new Promise((resolve) => setImmediate(resolve));
    // Node releases a child's process handle one tick after its 'close' event.
    for (let i = 0; i < 50 && process.getActiveResourcesInfo().includes('ProcessWrap'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const children = childProcesses();
    const listeners = leftoverAbortListeners();
    const handles = leftoverHandles();
    const problems: string[] = [];
    if (listeners > 0) problems.push(`${listeners} abort listener(s) left on live signals`);
    if (handles.length > 0) problems.push(`active handles left: ${handles.join(', ')}`);
    if (children.length > 0) problems.push(`child processes left: ${children.join('; ')}`);
    if (problems.length > 0) {
      throw new Error(`Leak check failed: ${problems.join('; ')}`);
    }
  });
