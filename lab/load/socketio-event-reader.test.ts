import { describe, expect, it } from 'vitest';
import { createSocketIoEventCache, parseEventPacket } from './socketio-event-reader.ts';

const broadcast = '42["student.created",{"type":"student.created","correlationId":"run-1-4"},"MzUPkW0"]';

describe('Socket.IO event packets', () => {
  it('reads the event name, the envelope correlation id and the recovery offset at the end', () => {
    expect(parseEventPacket(broadcast)).toEqual({
      type: 'student.created',
      correlationId: 'run-1-4',
      offset: 'MzUPkW0',
    });
  });

  it('finds no offset in an event sent to one socket only', () => {
    expect(parseEventPacket('42["connected",{"clientId":"c1"}]')).toEqual({ type: 'connected' });
    expect(parseEventPacket('42["ping-me"]')).toEqual({ type: 'ping-me' });
  });

  it('ignores packets that are not plain EVENTs of the default namespace', () => {
    for (const packet of ['40{"sid":"s"}', '42/admin,["x",{}]', '4213["x",{}]', '42[broken', '42["x"'])
      expect(parseEventPacket(packet)).toBeUndefined();
  });

  it('parses a broadcast once for all the sockets that receive it', () => {
    const read = createSocketIoEventCache();
    const first = read(broadcast);
    // The same text as another socket's message: a different string object, equal content.
    expect(read(broadcast.slice(0, 10) + broadcast.slice(10))).toBe(first);
  });

  it('forgets the oldest broadcasts beyond its size and still reads them when asked again', () => {
    const read = createSocketIoEventCache(2);
    const packet = (n: number): string => `42["student.updated",{"correlationId":"c${n}"},"o${n}"]`;
    const first = read(packet(1));
    read(packet(2));
    read(packet(3));
    const again = read(packet(1));
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
