/** Health aggregation: one entry per dependency with status and duration. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheckResult {
  status: HealthStatus;
  /** Extra facts for the entry (breaker state, lag in ms, …). */
  details?: Record<string, unknown>;
}

export interface HealthCheck {
  name: string;
  /** A required dependency being unhealthy makes the service not ready. */
  required: boolean;
  check: (signal: AbortSignal) => Promise<HealthCheckResult>;
}

export interface HealthEntry extends HealthCheckResult {
  name: string;
  required: boolean;
  durationMs: number;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  ready: boolean;
  checkedAt: string;
  entries: HealthEntry[];
}

/**
 * Runs every check concurrently, each bounded by `timeoutMs`; a check that throws or times out is
 * unhealthy. Overall: unhealthy when a required check is, degraded when any other check is not healthy.
 */
export async function checkHealth(checks: HealthCheck[], timeoutMs = 2000): Promise<HealthReport> {
  const entries = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
  const requiredDown = entries.some((e) => e.required && e.status === 'unhealthy');
  const anyNotHealthy = entries.some((e) => e.status !== 'healthy');
  const status: HealthStatus = requiredDown ? 'unhealthy' : anyNotHealthy ? 'degraded' : 'healthy';
  return { status, ready: !requiredDown, checkedAt: new Date().toISOString(), entries };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<HealthEntry> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([check.check(controller.signal), timedOut]);
    return { name: check.name, required: check.required, ...result, durationMs: elapsed(started) };
  } catch (e) {
    return {
      name: check.name,
      required: check.required,
      status: 'unhealthy',
      durationMs: elapsed(started),
      error: (e as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;
