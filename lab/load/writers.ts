import type { FixedRateResult } from '../metrics/open-loop-schedule.ts';
import { runHttpAtFixedRate, type FixedRateResponse } from './fixed-rate-http.ts';
import type { HttpClient, HttpRequestSpec } from './http-client.ts';
import { correlationIdFor } from '../measure/correlation.ts';
import { notificationsCausedBy } from '../../contracts/causality.ts';
import type { NotificationType } from '../../contracts/envelope.ts';
import { headers, routes, studentPath } from '../../contracts/http.ts';

export type WriteKind = 'create' | 'update';

/** Notifications each accepted write causes: the worker's own list, from the contract. */
export const notificationsOf: Record<WriteKind, readonly NotificationType[]> = {
  create: notificationsCausedBy['student.created'],
  update: notificationsCausedBy['student.updated'],
};

export interface WritersOptions {
  client: HttpClient;
  ratePerSec: number;
  durationMs: number;
  /** Prefix of every correlation id (`<prefix>-<seq>`), so each is unique across runs. */
  correlationPrefix: string;
  kind: WriteKind;
  /** Students to PUT, round-robin (required for `update`). */
  studentIds?: readonly string[];
  /** An accepted write (2xx): its correlation id and INTENDED send time (epoch µs). */
  onAccepted?(correlationId: string, intendedAtUs: number, kind: WriteKind): void;
  onResponse?(event: FixedRateResponse): void;
  maxInFlight?: number;
  signal?: AbortSignal;
}

export interface WritersResult extends FixedRateResult {
  accepted: number;
  rejected: number;
  statuses: Record<string, number>;
}

export function studentBody(tag: string): { firstName: string; lastName: string; email: string } {
  return { firstName: 'Lab', lastName: `Writer ${tag}`, email: `lab-${tag}@example.test`.toLowerCase() };
}

/**
 * Open-model writers: POST (create) or PUT (update) at a fixed rate, each with a unique
 * `X-Correlation-Id`; the intended send time of every accepted write is reported, so end-to-end
 * notification latency is measured from when the user meant to write.
 */
export async function runWriters(options: WritersOptions): Promise<WritersResult> {
  if (options.kind === 'update' && !options.studentIds?.length)
    throw new Error('update writers need studentIds');
  const statuses: Record<string, number> = {};
  let accepted = 0;
  let rejected = 0;
  const correlationOf = (seq: number): string => correlationIdFor(options.correlationPrefix, seq);
  const request = (seq: number): HttpRequestSpec => {
    const correlationId = correlationOf(seq);
    const requestHeaders = { [headers.correlationId]: correlationId };
    if (options.kind === 'create') {
      return {
        method: 'POST',
        path: routes.students,
        headers: requestHeaders,
        body: studentBody(correlationId),
      };
    }
    const ids = options.studentIds ?? [];
    const id = ids[seq % ids.length] ?? '';
    return {
      method: 'PUT',
      path: studentPath(id),
      headers: requestHeaders,
      body: studentBody(correlationId),
    };
  };
  const result = await runHttpAtFixedRate({
    client: options.client,
    ratePerSec: options.ratePerSec,
    durationMs: options.durationMs,
    maxInFlight: options.maxInFlight ?? 1000,
    ...(options.signal ? { signal: options.signal } : {}),
    request,
    onResponse(event) {
      const status = event.response?.status ?? 0;
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        accepted += 1;
        options.onAccepted?.(correlationOf(event.seq), event.intendedAtUs, options.kind);
      } else rejected += 1;
      options.onResponse?.(event);
    },
  });
  return { ...result, accepted, rejected, statuses };
}
