/** One Server-Sent Events frame (the fields the notifications service sends). */
export interface SseFrame {
  /** `id:`; absent when the frame carries none (then the client's last id stays). */
  id?: string;
  /** `event:`; `message` when the frame names none. */
  event: string;
  /** The `data:` lines joined by `\n`. */
  data: string;
  /** `retry:`, the server's reconnect hint in milliseconds. */
  retryMs?: number;
}

/**
 * An incremental `text/event-stream` parser: feed it chunks as they arrive, it calls `onFrame`
 * synchronously for every complete frame, so the caller's receipt time for a chunk applies to the
 * frames it completes. Comment lines (heartbeats) are skipped; frames are split on `\n\n`, which is
 * what the notifications service writes.
 */
export function createSseFrameParser(onFrame: (frame: SseFrame) => void): { feed(chunk: string): void } {
  let buffer = '';
  return {
    feed(chunk) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame = parseFrame(text);
        if (frame) onFrame(frame);
      }
    },
  };
}

function parseFrame(text: string): SseFrame | undefined {
  const frame: SseFrame = { event: 'message', data: '' };
  const data: string[] = [];
  let fields = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    fields += 1;
    if (name === 'id') frame.id = value;
    else if (name === 'event') frame.event = value;
    else if (name === 'data') data.push(value);
    else if (name === 'retry' && /^\d+$/.test(value)) frame.retryMs = Number(value);
  }
  if (fields === 0) return undefined;
  frame.data = data.join('\n');
  return frame;
}
