// Peer worker for poolifier's FixedClusterPool (a cluster worker process): the task `x => x + 1`.
// CommonJS on purpose: an ES module loads asynchronously, so poolifier's start-up message reaches
// the worker before its listener exists and the pool never gets an answer.
const { ClusterWorker } = require('poolifier');

module.exports = new ClusterWorker((x) => x + 1);
