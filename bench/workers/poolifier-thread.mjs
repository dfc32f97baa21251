// Peer worker for poolifier's FixedThreadPool: the task `x => x + 1`.
import { ThreadWorker } from 'poolifier';

export default new ThreadWorker((x) => x + 1);
