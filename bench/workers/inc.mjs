// Peer worker for piscina and tinypool (threads and child processes): the task `x => x + 1`.
export default (x) => x + 1;
