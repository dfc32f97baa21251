// Floor for the channels scope: a bare worker thread at one end of a MessagePort (`workerData.port`)
// or of a BroadcastChannel (`workerData.channel`, its name).
//
// role 'producer': on `{ go: k }` from the parent, posts k items then the end marker `null`.
// role 'consumer': counts the items until the end marker, then posts `{ count, sum }` to the parent.
// mode 'objects': item i is `{ i, v: 'x' }`; 'numbers': the number i; 'chunks': Float64Array chunks
// of up to CHUNK values (one reused buffer, copied by each postMessage; the count is in values).
// Both post `'ready'` to the parent once listening; the parent terminates them when done.
import { BroadcastChannel, parentPort, workerData } from 'node:worker_threads';

const CHUNK = 1000;
const { role, mode, port, channel } = workerData;
const end = port ?? new BroadcastChannel(channel);

if (role === 'producer') {
  parentPort.on('message', ({ go: k }) => {
    if (mode === 'objects') {
      for (let i = 0; i < k; i++) end.postMessage({ i, v: 'x' });
    } else if (mode === 'numbers') {
      for (let i = 0; i < k; i++) end.postMessage(i);
    } else {
      const chunk = new Float64Array(CHUNK);
      for (let i = 0; i < k; i += CHUNK) {
        const len = Math.min(CHUNK, k - i);
        const out = len === CHUNK ? chunk : new Float64Array(len);
        for (let j = 0; j < len; j++) out[j] = i + j;
        end.postMessage(out);
      }
    }
    end.postMessage(null);
  });
} else {
  let count = 0;
  let sum = 0;
  end.onmessage = ({ data }) => {
    if (data === null) {
      parentPort.postMessage({ count, sum });
      count = 0;
      sum = 0;
    } else if (mode === 'objects') {
      count++;
      sum += data.i;
    } else if (mode === 'numbers') {
      count++;
      sum += data;
    } else {
      count += data.length;
      for (let j = 0; j < data.length; j++) sum += data[j];
    }
  };
}
parentPort.postMessage('ready');
