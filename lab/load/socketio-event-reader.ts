/** What a listener needs of one Socket.IO EVENT packet. */
export interface SocketIoEvent {
  /** The event name (the first array element). */
  type: string;
  /** The first argument's `correlationId`, when it is an envelope. */
  correlationId?: string;
  /**
   * The recovery offset, when there is one. With connection-state recovery the server appends it
   * to every broadcast event as the LAST array element (`42["type",{envelope},"<offset>"]`,
   * socket.io-adapter's SessionAwareAdapter.broadcast), and the client sends the last one it saw
   * back in its CONNECT packet to be sent what it missed.
   */
  offset?: string;
}

/** Reads an Engine.IO message carrying a Socket.IO EVENT (`42[...]`); undefined for anything else. */
export type SocketIoEventReader = (packet: string) => SocketIoEvent | undefined;

/**
 * One broadcast reaches every socket of a process as the same packet text: it is JSON-parsed once
 * and its reading remembered by that text. Only envelopes are remembered (a per-socket event such
 * as `connected` is never seen twice), and only the last `maxEntries`, oldest first out: a
 * broadcast reaches all sockets within moments, so older entries are not asked for again.
 */
export function createSocketIoEventCache(maxEntries = 4096): SocketIoEventReader {
  const byPacket = new Map<string, SocketIoEvent>();
  return (packet) => {
    const cached = byPacket.get(packet);
    if (cached !== undefined) return cached;
    const event = parseEventPacket(packet);
    if (event?.correlationId === undefined) return event;
    byPacket.set(packet, event);
    if (byPacket.size > maxEntries) byPacket.delete(byPacket.keys().next().value as string);
    return event;
  };
}

/**
 * `4` (Engine.IO message) `2` (Socket.IO EVENT) then the JSON array, in the default namespace and
 * without an ack id: the only EVENT packets the notifications service sends.
 */
export function parseEventPacket(packet: string): SocketIoEvent | undefined {
  if (!packet.startsWith('42[')) return undefined;
  let args: unknown;
  try {
    args = JSON.parse(packet.slice(2));
  } catch {
    return undefined;
  }
  if (!Array.isArray(args) || typeof args[0] !== 'string') return undefined;
  const event: SocketIoEvent = { type: args[0] };
  const envelope: unknown = args[1];
  if (typeof envelope === 'object' && envelope !== null && 'correlationId' in envelope) {
    const { correlationId } = envelope;
    if (typeof correlationId === 'string') event.correlationId = correlationId;
  }
  const last: unknown = args.at(-1);
  // The name itself is never an offset (socket.io-client would take it; no broadcast has no argument).
  if (args.length > 1 && typeof last === 'string') event.offset = last;
  return event;
}
