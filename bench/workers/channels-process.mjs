// Floor for the channels scope: a bare forked child (`serialization: 'advanced'`) that, on
// `{ go: k }` from the parent, sends k messages `{ i, v: 'x' }` over its IPC channel, then the end
// marker `{ end: true }`. It exits when the parent disconnects.
import process from 'node:process';

process.on('message', ({ go: k }) => {
  for (let i = 0; i < k; i++) process.send({ i, v: 'x' });
  process.send({ end: true });
});
process.send('ready');
