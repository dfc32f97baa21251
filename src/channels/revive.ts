/**
 * The worker side of shared arguments: rebuilds the channel or shared object a pool swapped for a
 * descriptor (internal/share.ts). Loaded by a worker only when a task has such an argument.
 */

import { SHARED_KEY } from '../internal/share.js';
import { allDrained } from './endpoint.js';
import { beginTask, settled } from './proxy.js';

export { beginTask };
import { attachConnection, type ConnectionDescriptor } from './pipe.js';
import { attachQueue, type QueueDescriptor } from './queue.js';
import {
  attachArray,
  attachLock,
  attachValue,
  type SharedArrayType,
  type SharedValueType,
} from './shared.js';

type Descriptor =
  | QueueDescriptor
  | ConnectionDescriptor
  | { k: 'lock'; sab: SharedArrayBuffer; offset: number }
  | { k: 'value'; sab: SharedArrayBuffer; type: SharedValueType }
  | { k: 'array'; sab: SharedArrayBuffer; type: SharedArrayType; length: number };

function revive(d: Descriptor): unknown {
  switch (d.k) {
    case 'queue':
      return attachQueue(d);
    case 'conn':
      return attachConnection(d);
    case 'lock':
      return attachLock(d.sab, d.offset);
    case 'value':
      return attachValue(d.sab, d.type);
    case 'array':
      return attachArray(d.sab, d.type, d.length);
  }
}

/** Replaces, in place, each direct argument that is a swapped shared object. */
export function reviveArgs(args: unknown[]): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'object' && a !== null && SHARED_KEY in a) {
      args[i] = revive((a as Record<string, Descriptor>)[SHARED_KEY]!);
    }
  }
}

/**
 * Resolves when this process's operations on channels are done in the parent (a child process's
 * pipelined puts, sends and shutdowns): the worker waits for it before it reports a task done,
 * and it rejects with a refusal no call has reported yet. (A thread's operations are done when
 * they return; what waits in a pipe's outbox is delivered after the task, see exitWhenDrained.)
 */
export function settleShared(): Promise<void> {
  return settled();
}

/** Resolves when this thread's outboxes are delivered: a worker exits only then. */
export function outboxesDrained(): Promise<void> {
  return allDrained();
}
