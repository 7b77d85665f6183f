/** The slice of a pino logger the fault proxy uses, so the lab can pass its own (or none). */
export interface ToxiproxyLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLogger: ToxiproxyLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
