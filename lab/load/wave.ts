import { nowUs } from '../metrics/clock.ts';
import { createLatencyHistogram, type LatencyHistogram } from '../metrics/latency-histogram.ts';
import type { HttpClient, HttpRequestSpec, HttpResponse } from './http-client.ts';

export interface WaveResult {
  /** Requests fired. */
  sent: number;
  /** Responses by status (0 = transport error). */
  statuses: Record<string, number>;
  /** Responses carrying `X-Deduplicated: true`. */
  deduplicated: number;
  /** Responses without it (the executing requests). */
  executed: number;
  errors: number;
  /** Deduplicated / responses (0..1); 0 when there was no response. */
  hitRate: number;
  /** Latency of every request from the instant the wave was fired (µs). */
  latency: LatencyHistogram;
  /** Split by who answered: the executing request(s) vs the de-duplicated followers. */
  executedLatency: LatencyHistogram;
  deduplicatedLatency: LatencyHistogram;
  /** Fired → last response, µs. */
  spanUs: number;
  /** First successful response (for the caller to inspect). */
  sample?: HttpResponse;
}

/**
 * Fires `count` identical requests at once (the client's pool must hold `count` sockets, or the
 * rest queue in the agent: that queueing is then part of the measured latency, as it would be for
 * users) and records status, `X-Deduplicated` and latency of each, in microseconds.
 */
export async function fireWave(
  client: HttpClient,
  count: number,
  spec: HttpRequestSpec,
  /** Per response (status 0 = transport error), latency from the wave's start in µs. */
  onResponse?: (latencyUs: number, status: number, deduplicated: boolean) => void,
): Promise<WaveResult> {
  const firedAtUs = nowUs();
  const result: WaveResult = {
    sent: count,
    statuses: {},
    deduplicated: 0,
    executed: 0,
    errors: 0,
    hitRate: 0,
    latency: createLatencyHistogram(),
    executedLatency: createLatencyHistogram(),
    deduplicatedLatency: createLatencyHistogram(),
    spanUs: 0,
  };
  const settled = await Promise.allSettled(Array.from({ length: count }, () => client.request(spec)));
  for (const outcome of settled) {
    if (outcome.status === 'rejected') {
      result.errors += 1;
      result.statuses['0'] = (result.statuses['0'] ?? 0) + 1;
      onResponse?.(nowUs() - firedAtUs, 0, false);
      continue;
    }
    const response = outcome.value;
    const latencyUs = response.finishedAtUs - firedAtUs;
    result.statuses[String(response.status)] = (result.statuses[String(response.status)] ?? 0) + 1;
    if (response.status >= 500) result.errors += 1;
    result.latency.record(latencyUs);
    onResponse?.(latencyUs, response.status, response.deduplicated);
    if (response.deduplicated) {
      result.deduplicated += 1;
      result.deduplicatedLatency.record(latencyUs);
    } else {
      result.executed += 1;
      result.executedLatency.record(latencyUs);
    }
    result.spanUs = Math.max(result.spanUs, latencyUs);
    if (!result.sample && response.status < 400) result.sample = response;
  }
  const answered = result.deduplicated + result.executed;
  result.hitRate = answered === 0 ? 0 : result.deduplicated / answered;
  return result;
}
