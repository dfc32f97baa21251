// Floor: a bare forked process that echoes IPC messages back; with argv[2] === 'once' it answers
// one message, then exits.
import process from 'node:process';

if (process.argv[2] === 'once') {
  process.once('message', (m) => process.send(m, () => process.exit(0)));
} else {
  process.on('message', (m) => process.send(m));
}
