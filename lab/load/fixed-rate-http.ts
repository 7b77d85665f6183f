import { runAtFixedRate, type FixedRateResult } from '../metrics/open-loop-schedule.ts';
import type { HttpClient, HttpRequestSpec, HttpResponse } from './http-client.ts';

export interface FixedRateHttpOptions {
  client: HttpClient;
  ratePerSec: number;
  durationMs: number;
  /** Builds request number `seq` (0-based). */
  request(seq: number, intendedAtUs: number): HttpRequestSpec;
  /** Most requests outstanding; hitting it is counted as the generator falling behind. Default 1,000. */
  maxInFlight?: number;
  /** Called with every response (or `undefined` + error on a transport failure). */
  onResponse?(event: FixedRateResponse): void;
  /** Stop scheduling new requests when aborted (requests in flight still settle). */
  signal?: AbortSignal;
}

export interface FixedRateResponse {
  seq: number;
  intendedAtUs: number;
  /** Completion − intended send time, µs: the latency a user would have seen (no coordinated omission). */
  latencyUs: number;
  /** Completion − actual send time, µs (service time). */
  serviceUs: number;
  response?: HttpResponse;
  error?: Error;
}

/**
 * Open-model HTTP load: requests are sent on a fixed schedule whatever the server does, and each
 * latency is measured from its INTENDED send time (helper: lab/metrics runAtFixedRate). A server
 * that stalls for a second shows up as a second of extra latency on the requests scheduled
 * during the stall, not as fewer samples.
 */
export async function runHttpAtFixedRate(options: FixedRateHttpOptions): Promise<FixedRateResult> {
  const responses = new Map<number, { response?: HttpResponse; error?: Error }>();
  return runAtFixedRate({
    ratePerSec: options.ratePerSec,
    durationMs: options.durationMs,
    maxInFlight: options.maxInFlight ?? 1000,
    async send(seq, intendedAtUs) {
      if (options.signal?.aborted) return;
      try {
        responses.set(seq, { response: await options.client.request(options.request(seq, intendedAtUs)) });
      } catch (error) {
        responses.set(seq, { error: error as Error });
        throw error;
      }
    },
    onComplete(outcome) {
      const entry = responses.get(outcome.seq);
      responses.delete(outcome.seq);
      if (!entry || !options.onResponse) return;
      const serviceUs = entry.response
        ? entry.response.finishedAtUs - entry.response.startedAtUs
        : outcome.latencyUs;
      options.onResponse({
        seq: outcome.seq,
        intendedAtUs: outcome.intendedAtUs,
        latencyUs: outcome.latencyUs,
        serviceUs,
        ...(entry.response ? { response: entry.response } : {}),
        ...(entry.error ? { error: entry.error } : {}),
      });
    },
  });
}
