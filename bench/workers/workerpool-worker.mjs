// Peer worker for workerpool (threads and processes): the method `inc`, `x => x + 1`.
import workerpool from 'workerpool';

workerpool.worker({ inc: (x) => x + 1 });
