// The fan-out floor's server (a child of fanout-floor.ts): plain TCP, every connection kept in a
// list, each notification one shared record written to every socket in one synchronous loop. The
// least any server can do per listener here: what the notifications service adds is measured
// against it.
import { createServer, type Socket } from 'node:net';
import { recordFor, type ServerCommand, type ServerReply } from './fanout-floor-protocol.ts';

const send = (reply: ServerReply): void => void process.send?.(reply);
const sockets = new Set<Socket>();
let sends = 0;
let writes = 0;
const loopMs: number[] = [];
// Taken at the first send, so accepting the connections is not counted.
let cpuAtStart: NodeJS.CpuUsage | undefined;

const server = createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
  socket.resume();
});
server.maxConnections = 60_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  const address = server.address();
  send({ kind: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('message', (command: ServerCommand) => {
  if (command.kind === 'send') {
    cpuAtStart ??= process.cpuUsage();
    const record = recordFor(command.intendedUs);
    const started = performance.now();
    for (const socket of sockets) {
      socket.write(record);
      writes++;
    }
    loopMs.push(performance.now() - started);
    sends++;
  } else {
    const cpu = process.cpuUsage(cpuAtStart);
    send({
      kind: 'report',
      connected: sockets.size,
      sends,
      writes,
      userUs: cpu.user,
      systemUs: cpu.system,
      loopMs,
    });
  }
});
process.on('disconnect', () => process.exit(0));
