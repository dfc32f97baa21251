/**
 * The worker side of shared arguments: rebuilds the channel or shared object a pool swapped for a
 * descriptor (internal/share.ts). Loaded by a worker only when a task has such an argument.
 */

import { SHARED_KEY } from '../internal/share.js';
import { allDrained } from './endpoint.js';
import { settled } from './proxy.js';
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
 * Resolves when what this worker's task sent is where the other side can get it: puts and pipe
 * sends waiting for room are in their rings (threads), pipelined operations are done in the parent
 * (processes). The worker waits for it before it reports the task done.
 */
export function settleShared(): Promise<void> {
  return Promise.all([allDrained(), settled()]).then(() => undefined);
}
