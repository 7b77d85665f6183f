import cluster from 'node:cluster';
import { isShardRequest, type ShardReady, type ShardReply } from './shard-ipc.ts';
import { createToxiproxyServer } from './toxiproxy-server.ts';

/**
 * One shard of `npm run toxiproxy -- --shards N`, forked by the primary (sharded-toxiproxy.ts).
 * Its API listens on its own loopback port; its proxies' listen ports are shared through the
 * cluster. It lives exactly as long as its IPC channel to the primary.
 */
if (!cluster.isWorker || process.send === undefined) {
  process.stderr.write('toxiproxy shard: started by `toxiproxy-server-main.ts --shards N`, not directly\n');
  process.exit(2);
}
const send = (message: ShardReady | ShardReply): void => void process.send?.(message);

const server = await createToxiproxyServer({ host: '127.0.0.1', port: 0, exclusive: true });

process.on('message', (message: unknown) => {
  if (!isShardRequest(message)) return;
  // Answered in order after every IPC message this shard sent before (see Shard.sync).
  send(
    message.type === 'shard-stats'
      ? { type: 'shard-reply', id: message.id, connections: server.connectionCounts() }
      : { type: 'shard-reply', id: message.id },
  );
});
// Ctrl+C reaches the whole process group: the primary decides when shards stop (it closes the channel).
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// node:cluster already exits a worker whose primary is gone; say so explicitly all the same.
process.once('disconnect', () => process.exit(0));

send({ type: 'shard-ready', url: server.url, pid: process.pid });
