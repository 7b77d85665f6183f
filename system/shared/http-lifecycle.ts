import type http from 'node:http';

export interface ListenOptions {
  /** 0 picks a free port. */
  port: number;
  /** The interface to bind (`HOST`); loopback unless the operator widens it. */
  host: string;
  /** Accept-queue length asked of the kernel (Node's default 511; capped by net.core.somaxconn). */
  backlog?: number;
}

/** Binds the server; resolves with the bound port, rejects when binding fails (port in use). */
export function listenHttp(server: http.Server, options: ListenOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ port: options.port, host: options.host, backlog: options.backlog }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
}

/**
 * Stops accepting, lets in-flight requests finish, and closes keep-alive sockets as they go idle
 * (`server.close()` alone only closes the ones idle at the moment it is called). After
 * `drainTimeoutMs` (default 10,000) remaining connections are cut. A server that never listened
 * resolves at once.
 */
export function closeHttp(server: http.Server, drainTimeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
