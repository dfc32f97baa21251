/**
 * The loopback target of the `status` cases of the `cli` scope: a bare node:http server that
 * answers every request 200 at once (`ok`, keep-alive). It runs in its own process
 * (`node build/bench/scenarios/cli-target.js`), prints `{"port":N}` when it listens and exits on
 * SIGTERM. Not a case of its own: bench/scenarios/cli.ts starts it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from('ok');
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
