import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * An event stream owns its connection once the response head is out: it never ends, so Node's
 * HTTP server would otherwise keep the request, the response, their states, the HTTP parser
 * (native memory too) and nine bound listeners alive for the life of the stream, with nothing more
 * to parse. Taking the socket over, as Node does itself for an upgraded connection, cut an idle
 * stream from about 8 KB to under 3 KB (`npm run bench:memory -- --sse 5000`).
 *
 * This reaches past Node's public API in three places: the socket's `parser`, the `freeParser` of
 * the legacy `_http_common` module, and the names of the listeners the server attaches. All three
 * are the same on Node 20 and 24 (stream-socket.test.ts runs on both); where one is missing, the
 * stream stays with the HTTP server, which costs memory and nothing else.
 */

/** The listeners Node's HTTP server (and its response) put on every connection it serves. */
const httpServerListenerNames = new Set([
  'bound socketOnData',
  'bound socketOnEnd',
  'bound socketOnClose',
  'bound socketOnDrain',
  'socketOnError',
  'socketOnTimeout',
  'onSocketResume',
  'onSocketPause',
  'onServerResponseClose',
]);

type FreeParser = (parser: unknown, req: IncomingMessage, socket: Socket) => void;

function loadFreeParser(): FreeParser | undefined {
  try {
    const common = createRequire(import.meta.url)('_http_common') as { freeParser?: unknown };
    return typeof common.freeParser === 'function' ? (common.freeParser as FreeParser) : undefined;
  } catch {
    return undefined;
  }
}
const freeParser = loadFreeParser();

type ServedSocket = Socket & { parser?: unknown; _httpMessage?: unknown };
type DetachableResponse = ServerResponse & { detachSocket?: (socket: Socket) => void };

/**
 * Hands `res`'s connection over from the HTTP server to the caller, after the current parse has
 * unwound (the request event fires inside the parser). The caller keeps writing to the socket and
 * learns of its end from the socket's `close`. Returns false when this Node's internals are not the
 * ones known here; the connection then stays with the HTTP server and works as before.
 */
export function takeOverStreamSocket(req: IncomingMessage, res: ServerResponse): boolean {
  const socket: ServedSocket | null = res.socket;
  const response = res as DetachableResponse;
  if (!socket || !freeParser || !socket.parser || typeof response.detachSocket !== 'function') return false;
  const release = freeParser;
  setImmediate(() => {
    // Only the stream's own, still open, connection (detachSocket asserts the response is its own).
    if (socket.destroyed || !socket.parser || socket._httpMessage !== res) return;
    response.detachSocket?.(socket);
    for (const event of socket.eventNames())
      for (const listener of socket.rawListeners(event) as ((...args: unknown[]) => void)[])
        if (httpServerListenerNames.has(listener.name)) socket.removeListener(event, listener);
    release(socket.parser, req, socket);
    serveAlone(socket);
  });
  return true;
}

/**
 * What the HTTP server did for the connection, now done here: an error ends it, the client's end
 * is answered with ours (server sockets are half-open), and anything the client still sends is
 * read and dropped. A function of its own, so these listeners hold the socket and not, through a
 * shared closure, the request and response they are meant to let go.
 */
function serveAlone(socket: Socket): void {
  socket.on('error', () => socket.destroy());
  socket.on('end', () => socket.end());
  socket.resume();
}
