// Types for the xk6-sse extension (github.com/phymbert/xk6-sse), which @types/k6 does not cover.
declare module 'k6/x/sse' {
  import type { RefinedResponse, ResponseType } from 'k6/http';

  export interface SseEvent {
    id: string;
    name: string;
    data: string;
  }

  export interface SseError {
    error(): string;
  }

  export interface SseClient {
    on(event: 'open' | 'close', handler: () => void): void;
    on(event: 'event', handler: (event: SseEvent) => void): void;
    on(event: 'error', handler: (error: SseError) => void): void;
    close(): void;
  }

  export interface SseParams {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    tags?: Record<string, string>;
    /** A Go duration, e.g. `30s`: bounds the whole request, reading the stream included. */
    timeout?: string;
  }

  const sse: {
    open(
      url: string,
      params: SseParams,
      callback: (client: SseClient) => void,
    ): RefinedResponse<ResponseType>;
  };
  export default sse;
}
