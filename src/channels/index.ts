/**
 * tsio/channels: what lets tasks running in workers talk to each other and to the main thread
 * while they run, Python's `multiprocessing` `Pipe`, `Queue`, `Lock`, `Value` and `Array`.
 *
 * Everything lives in SharedArrayBuffers created where you construct it. Pass a channel or shared
 * object to a pool task as a direct argument: a worker thread gets the same shared memory; a child
 * process gets a proxy whose operations run in the parent (`Pipe` and `SharedQueue` only: shared
 * memory does not cross into a process, so `SharedLock`, `SharedValue` and `SharedArray` are
 * refused there with a clear error).
 *
 * @module
 */

export { Pipe, Connection, type PipeOptions } from './pipe.js';
export {
  SharedQueue,
  type SharedQueueOptions,
  type SharedQueueShutdownOptions,
  type BlockingOptions,
} from './queue.js';
export {
  SharedLock,
  SharedValue,
  SharedArray,
  type SharedArrayType,
  type SharedArrayTypes,
  type SharedValueType,
} from './shared.js';
export { ChannelClosedError, BrokenChannelError } from '../errors.js';
