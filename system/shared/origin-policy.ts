/**
 * Which browser origins may open a stream or a Socket.IO session. A request without `Origin` is
 * not from a browser page (the lab's listeners, curl) and is let through; a page of this service
 * is the same origin; any other origin must be listed (`CORS_ORIGINS`, `*` for any).
 */
export interface OriginPolicy {
  allows(origin: string | undefined, host: string | undefined): boolean;
  /** The `Access-Control-Allow-Origin` value for an allowed cross-origin request, else undefined. */
  corsOrigin(origin: string | undefined, host: string | undefined): string | undefined;
  /** For Socket.IO's `cors.origin`: `true` (any), the listed origins, or `false` (none). */
  socketIoCors(): boolean | string[];
}

const originOf = (value: string): string | undefined =>
  URL.canParse(value) ? new URL(value).origin : undefined;

export function createOriginPolicy(allowedOrigins: readonly string[]): OriginPolicy {
  const any = allowedOrigins.includes('*');
  const listed = new Set(allowedOrigins.map(originOf).filter((o): o is string => o !== undefined));
  const sameOrigin = (origin: string, host: string | undefined) =>
    host !== undefined && URL.canParse(origin) && new URL(origin).host === host.toLowerCase();
  const crossAllowed = (origin: string) => any || listed.has(originOf(origin) ?? '');
  return {
    allows: (origin, host) => origin === undefined || sameOrigin(origin, host) || crossAllowed(origin),
    corsOrigin: (origin, host) =>
      origin !== undefined && !sameOrigin(origin, host) && crossAllowed(origin) ? origin : undefined,
    socketIoCors: () => (any ? true : listed.size > 0 ? [...listed] : false),
  };
}
