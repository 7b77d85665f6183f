import type { Toxiproxy } from 'toxiproxy-node-client';

export const serviceNames = ['api', 'worker', 'notifications'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** Extra environment per service, e.g. `{api: {PUBLISH_MODE: 'direct'}}`. */
export type ServiceEnvs = Partial<Record<ServiceName, Readonly<Record<string, string>>>>;

/** Names of the fault-proxy proxies a scenario can break (the compose file uses the same names). */
export interface ProxyNames {
  rabbitmq: string;
  redis: string;
  /** `postgres` locally; `mssql` in the compose stack. */
  database: string;
  /** In front of the notifications service, for client-side faults (reconnect storms). */
  notifications: string;
}

/**
 * What scenario code sees of the system under test, the same for `local` and `compose`.
 * Faults go only through `toxiproxy` (the real toxiproxy-node-client).
 */
export interface Target {
  kind: 'local' | 'compose';
  /** Unique per run; the local target puts it into every child's environment (LAB_RUN_ID). */
  runId: string;
  apiUrl: string;
  /** The notifications service THROUGH its proxy: listeners connect here. */
  notificationsUrl: string;
  /** The notifications service without the fault proxy (health, metrics): HAProxy when there are several processes. */
  notificationsDirectUrl: string;
  /**
   * Each notifications process directly (one entry unless NOTIFICATIONS_PROCESSES > 1), for load
   * generators that spread their listeners without the balancer hop.
   */
  notificationsProcessUrls: string[];
  workerUrl: string;
  toxiproxy: Toxiproxy;
  proxyNames: ProxyNames;
  /** `/metrics` URL of each service (of its first process, when it runs several). */
  metricsUrls: Record<ServiceName, string>;
  /** `/metrics` URLs of every process of each service (several notifications processes). */
  processMetricsUrls: Record<ServiceName, string[]>;
  /** Restarts one service with extra environment (local target only). */
  restartService?(name: ServiceName, env: Readonly<Record<string, string>>): Promise<void>;
  /** Stops everything the target started, removes its proxies; idempotent, never throws. */
  close(): Promise<void>;
}

/** The run cannot be made (infrastructure missing, a service did not start): exit code 2. */
export class TargetError extends Error {
  constructor(
    message: string,
    /** What the user should do about it. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

export function isTargetError(error: unknown): error is TargetError {
  return error instanceof TargetError;
}
