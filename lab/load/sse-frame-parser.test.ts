import { describe, expect, it } from 'vitest';
import { createSseFrameParser, type SseFrame } from './sse-frame-parser.ts';

describe('SSE frame parser', () => {
  it('emits frames split across chunks, skipping heartbeats', () => {
    const frames: SseFrame[] = [];
    const parser = createSseFrameParser((f) => frames.push(f));
    parser.feed(
      'retry: 2000\n\nevent: connected\ndata: {"clientId":"c1"}\n\n: heartbeat\n\nid: m1\nevent: stu',
    );
    expect(frames).toEqual([
      { event: 'message', data: '', retryMs: 2000 },
      { event: 'connected', data: '{"clientId":"c1"}' },
    ]);
    parser.feed('dent.created\ndata: {"correlationId":"run-1"}\n\n');
    expect(frames[2]).toEqual({ id: 'm1', event: 'student.created', data: '{"correlationId":"run-1"}' });
    expect(frames).toHaveLength(3);
  });

  it('joins multi-line data with newlines', () => {
    const frames: SseFrame[] = [];
    createSseFrameParser((f) => frames.push(f)).feed('event: gap\ndata: a\ndata: b\n\n');
    expect(frames).toEqual([{ event: 'gap', data: 'a\nb' }]);
  });
});
