import { connect as amqplibConnect, type ChannelModel } from 'amqplib';
import { AppError, isAppError } from './errors.ts';

/** The slice of amqplib's `connect` we use; unit tests pass a fake. */
export type AmqpConnectFn = (url: string, socketOptions: Record<string, unknown>) => Promise<ChannelModel>;

export interface AmqpConnectOptions {
  url: string;
  /** Shown in the RabbitMQ management UI (`connection_name` client property). */
  connectionName: string;
  /**
   * Heartbeat interval in seconds (default 5). amqplib closes the connection after two silent
   * intervals, which is how a partition (no RST, no FIN) is detected. A `heartbeat` already in the
   * URL wins.
   */
  heartbeatSec?: number;
  /** Bounds TCP connect + AMQP handshake, in milliseconds (default 5,000). */
  connectTimeoutMs?: number;
  /** Receives connection errors; an unlistened 'error' event would crash the process. */
  onError: (error: unknown) => void;
  connect?: AmqpConnectFn;
}

const noop = (): void => undefined;

/** Adds `heartbeat=<sec>` to an AMQP URL unless it already has one. */
export function withHeartbeat(url: string, heartbeatSec: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(heartbeatSec));
  return parsed.toString();
}

/**
 * Opens one AMQP connection, bounded in time even against a black-holed broker: amqplib's socket
 * `timeout` covers the handshake, and an outer timer covers everything else (a late connection is
 * closed). Failures become {@link AppError}s (`dependency_unavailable` or `timeout`).
 */
export async function connectAmqp(options: AmqpConnectOptions): Promise<ChannelModel> {
  const { heartbeatSec = 5, connectTimeoutMs = 5_000 } = options;
  const connect = options.connect ?? (amqplibConnect as AmqpConnectFn);
  const pending = connect(withHeartbeat(options.url, heartbeatSec), {
    timeout: connectTimeoutMs,
    clientProperties: { connection_name: options.connectionName },
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new AppError('timeout', { detail: `AMQP connect took longer than ${connectTimeoutMs} ms` })),
      connectTimeoutMs,
    );
  });
  try {
    const model = await Promise.race([pending, deadline]);
    model.on('error', options.onError);
    return model;
  } catch (error) {
    pending.then((late) => {
      late.on('error', noop);
      return closeAmqpConnection(late, connectTimeoutMs);
    }, noop);
    if (isAppError(error)) throw error;
    throw new AppError('dependency_unavailable', {
      detail: `AMQP connect failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a connection and never throws or hangs: against a black-holed broker the AMQP close
 * handshake never completes, so after `timeoutMs` the socket is destroyed.
 */
export async function closeAmqpConnection(model: ChannelModel, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('AMQP close timed out')), timeoutMs);
  });
  try {
    await Promise.race([model.close(), deadline]);
  } catch {
    // Already closed, or the broker does not answer: drop the socket (amqplib keeps it as `stream`).
    (model.connection as { stream?: { destroy?: () => void } } | undefined)?.stream?.destroy?.();
  } finally {
    clearTimeout(timer);
  }
}
