// Floor: a bare worker thread that echoes every message back.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (m) => parentPort.postMessage(m));
