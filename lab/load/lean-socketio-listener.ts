// A Socket.IO listener without socket.io-client: Engine.IO v4 over one `ws` WebSocket, only what a
// notifications listener needs. socket.io-client parses every packet in full per socket, fires
// several events and a nextTick per packet: at 10,000 listeners that work, not the service, set
// the generator's loop lag. Here a packet costs a lookup in a per-process cache (see
// socketio-event-reader.ts) and a function call.
import WebSocket from 'ws';
import { nowUs } from '../metrics/clock.ts';
import { notificationTypeOf, type ListenerConnection, type ListenerEvents } from './listener-connections.ts';
import { createBackoff, type BackoffOptions } from './reconnect-backoff.ts';
import type { SocketIoEvent, SocketIoEventReader } from './socketio-event-reader.ts';

export interface LeanSocketIoListenerOptions {
  /** `http://host:port` of the notifications service. */
  baseUrl: string;
  /** Socket.IO path (`routes.socketIo`). */
  path: string;
  /** Source address of the TCP connection (the fleet spreads sockets over 127.0.0.x). */
  localAddress?: string;
  events: ListenerEvents;
  /** Shared by the listeners of a process, so one broadcast is parsed once. */
  readEvent: SocketIoEventReader;
  /** Reconnect delays; socket.io-client's defaults unless given. */
  reconnect?: BackoffOptions;
}

/** `ws://host:port/<path>/?EIO=4&transport=websocket`: straight to WebSocket, no polling first. */
export function engineIoUrl(baseUrl: string, path: string): URL {
  const url = new URL(`${path.replace(/\/$/, '')}/`, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '?EIO=4&transport=websocket';
  return url;
}

/** Session identity kept across reconnects, as socket.io-client keeps `_pid` and `_lastOffset`. */
interface Session {
  pid?: string;
  offset?: string;
}

/** The CONNECT packet: with a session to recover, its pid and the last offset seen. */
function connectPacket(session: Session): string {
  if (session.pid === undefined) return '40';
  return `40${JSON.stringify({ pid: session.pid, offset: session.offset })}`;
}

/**
 * One listener: connects, answers the server's pings, reports each notification with the time its
 * WebSocket message arrived (before any parsing), and after a loss reconnects with socket.io-client's
 * randomised backoff, asking to recover its session. Events the server replays on recovery arrive
 * before the CONNECT reply; they are held and reported after `opened`, as socket.io-client does.
 */
export function openLeanSocketIoListener(options: LeanSocketIoListenerOptions): ListenerConnection {
  const { events } = options;
  const url = engineIoUrl(options.baseUrl, options.path);
  const backoff = createBackoff(options.reconnect);
  const session: Session = {};
  let closed = false;
  let ws: WebSocket | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const connect = (): void => {
    let state: 'opening' | 'open' | 'ended' = 'opening';
    let heartbeat: NodeJS.Timeout | undefined;
    let stoppedByServer = false;
    const early: [SocketIoEvent, number][] = [];
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      // The service sends only UTF-8 text; ws's validation of every frame would be wasted.
      skipUTF8Validation: true,
      handshakeTimeout: 20_000,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    ws = socket;

    const end = (): void => {
      if (state === 'ended') return;
      const wasOpen = state === 'open';
      state = 'ended';
      clearTimeout(heartbeat);
      socket.terminate();
      if (closed || stoppedByServer) return;
      if (wasOpen) events.lost();
      else events.failed();
      reconnectTimer = setTimeout(connect, backoff.next());
    };

    const deliver = (event: SocketIoEvent, receivedAtUs: number): void => {
      const type = notificationTypeOf.get(event.type);
      if (type !== undefined && event.correlationId !== undefined)
        events.notification(type, event.correlationId, receivedAtUs);
    };

    const onEngineOpen = (packet: string): void => {
      const { pingInterval, pingTimeout } = JSON.parse(packet.slice(1)) as {
        pingInterval: number;
        pingTimeout: number;
      };
      // No ping within interval + timeout means the server is gone (engine.io-client's rule).
      heartbeat = setTimeout(end, pingInterval + pingTimeout);
      heartbeat.unref();
      socket.send(connectPacket(session));
    };

    const onConnected = (packet: string): void => {
      const { pid } = JSON.parse(packet.slice(2)) as { sid: string; pid?: string };
      // The server keeps the pid of a session it recovered and makes a new one otherwise.
      const recovered = pid !== undefined && pid === session.pid;
      session.pid = pid;
      if (!recovered) session.offset = undefined;
      state = 'open';
      backoff.reset();
      events.opened({ recovered });
      for (const [event, receivedAtUs] of early.splice(0)) deliver(event, receivedAtUs);
    };

    const onSocketIo = (packet: string, receivedAtUs: number): void => {
      const kind = packet.charCodeAt(1);
      if (kind === 0x32 /* 2: EVENT */) {
        const event = options.readEvent(packet);
        if (event === undefined) return;
        if (event.offset !== undefined) session.offset = event.offset;
        if (state === 'open') deliver(event, receivedAtUs);
        else early.push([event, receivedAtUs]);
      } else if (kind === 0x30 /* 0: CONNECT */) onConnected(packet);
      else if (kind === 0x31 /* 1: DISCONNECT */) {
        // The server ended the session on purpose: socket.io-client does not reconnect either.
        stoppedByServer = true;
        if (state === 'open') events.lost();
        end();
      } else if (kind === 0x34 /* 4: CONNECT_ERROR */) {
        // socket.io-client would give up; a load generator keeps trying, with backoff.
        end();
      }
    };

    socket.on('message', (data) => {
      const receivedAtUs = nowUs();
      // Text frames arrive as one Buffer (binaryType `nodebuffer`, fragments joined by ws).
      const packet = (data as Buffer).toString();
      const type = packet.charCodeAt(0);
      if (type === 0x34 /* 4: message */) onSocketIo(packet, receivedAtUs);
      else if (type === 0x32 /* 2: ping */) {
        socket.send('3');
        heartbeat?.refresh();
      } else if (type === 0x30 /* 0: open */) onEngineOpen(packet);
      else if (type === 0x31 /* 1: close */) end();
    });
    socket.on('close', end);
    // ws follows every error with `close`, which does the accounting.
    socket.on('error', () => undefined);
  };

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(reconnectTimer);
      ws?.terminate();
    },
  };
}
