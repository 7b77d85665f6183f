import { currentCorrelationId, newCorrelationId } from '../../shared/correlation.ts';
import { createEnvelope, type DomainEventType, type Envelope } from '../../../contracts/envelope.ts';
import { AppError } from '../../shared/errors.ts';
import { epochUs } from '../../../contracts/clock.ts';
import type { JourneyLog } from '../../shared/journey-log.ts';
import { inSpan, traceHeadersFor, traceparentForNewMessage } from '../../shared/spans.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AmqpPublisher } from '../../shared/amqp-publish.ts';
import type { OutboxMessage } from '../../shared/outbox/outbox-store.ts';
import { isBrokenCircuitError, type ResiliencePolicy } from '../../shared/resilience-policy.ts';
import type { Counter } from 'prom-client';
import type {
  CreateResult,
  IdempotencyRequest,
  Student,
  StudentInput,
  StudentPage,
  StudentStore,
} from './student-store.ts';
import { publishOptionsFor } from '../../shared/amqp-publish.ts';
import { topology } from '../../../contracts/topology.ts';

export type PublishMode = 'outbox' | 'direct';

export interface StudentServiceDeps {
  store: StudentStore;
  /** Reads through the two-level cache. */
  read: (id: string) => Promise<Student | undefined>;
  /** Drops every cached copy and response of a student, on every instance (a tombstone if deleted). */
  invalidate: (id: string, change: 'updated' | 'deleted') => Promise<void>;
  publishMode: PublishMode;
  /** Direct mode: the resilient publisher (retry → breaker → timeout). */
  publisher: AmqpPublisher;
  amqpPolicy: ResiliencePolicy;
  /** Outbox mode: woken right after each commit. */
  wakeRelay: () => void;
  /** Seconds clients are told to wait when the broker is unavailable (direct mode). */
  retryAfterSec: number;
  confirms?: Counter<'producer' | 'exchange'>;
  /** Marks each write's commit (and, in direct mode, its broker confirm). */
  journey?: JourneyLog;
  logger: Pick<Logger, 'warn'>;
}

export interface StudentService {
  /** Direct mode with the broker's breaker open: throws the 503 at once, before any work. */
  assertWritable(): void;
  create(input: StudentInput, actor: string, idempotency?: IdempotencyRequest): Promise<CreateResult>;
  get(id: string): Promise<Student>;
  list(options: { limit: number; cursor?: string | undefined }): Promise<StudentPage>;
  update(id: string, input: StudentInput, actor: string): Promise<Student>;
  delete(id: string, actor: string): Promise<void>;
}

const notFound = (id: string) => new AppError('not_found', { detail: `student ${id} does not exist` });

function eventOf(type: DomainEventType, payload: Envelope['payload']): OutboxMessage {
  const envelope = createEnvelope({
    type,
    correlationId: currentCorrelationId() ?? newCorrelationId(),
    producer: 'api',
    payload,
    traceparent: traceparentForNewMessage(),
  });
  return { exchange: topology.studentsExchange, routingKey: type, envelope };
}

/**
 * Student use cases. Outbox mode: events commit with the row and the relay is woken after the
 * commit. Direct mode (the seed's design): publish inside the request after the commit; an open
 * breaker answers 503 with Retry-After before anything is written.
 */
export function createStudentService(deps: StudentServiceDeps): StudentService {
  const { store, publishMode } = deps;
  const unavailable = (cause?: unknown) =>
    isBrokenCircuitError(cause) || cause === undefined
      ? new AppError('circuit_open', { cause, retryAfterSec: deps.retryAfterSec })
      : new AppError('dependency_unavailable', {
          cause,
          detail: 'publishing the event failed',
          retryAfterSec: deps.retryAfterSec,
        });

  const guard = () => {
    if (publishMode === 'direct' && deps.amqpPolicy.state() !== 'closed') throw unavailable();
  };
  const eventsFor = (type: DomainEventType) =>
    publishMode === 'outbox'
      ? (s: Student) => [eventOf(type, type === 'student.deleted' ? { id: s.id } : s)]
      : undefined;

  const journey = deps.journey;
  async function afterWrite(type: DomainEventType, student: Student): Promise<void> {
    const correlationId = currentCorrelationId();
    if (correlationId) journey?.mark('api.committed', correlationId, type);
    if (publishMode === 'outbox') return deps.wakeRelay();
    const { envelope, exchange, routingKey } = eventOf(
      type,
      type === 'student.deleted' ? { id: student.id } : student,
    );
    const publishedUs = epochUs();
    try {
      await deps.publisher.publish(
        exchange,
        routingKey,
        Buffer.from(JSON.stringify(envelope)),
        // mandatory: an event no queue takes is returned and fails, as in the outbox relay.
        { ...publishOptionsFor(envelope, traceHeadersFor(envelope, undefined)), mandatory: true },
      );
      deps.confirms?.inc({ producer: 'api', exchange });
      journey?.mark('api.published', envelope.correlationId, type, publishedUs);
    } catch (error) {
      deps.logger.warn({ err: error, type, studentId: student.id }, 'direct publish failed after commit');
      throw unavailable(error);
    }
  }

  return {
    assertWritable: guard,
    async create(input, actor, idempotency) {
      guard();
      const result = await inSpan('student.created commit', () =>
        store.create(input, { actor, events: eventsFor('student.created') }, idempotency),
      );
      if (result.kind === 'created') await afterWrite('student.created', result.student);
      return result;
    },
    async get(id) {
      return (await deps.read(id)) ?? Promise.reject(notFound(id));
    },
    list: (options) => store.list(options),
    async update(id, input, actor) {
      guard();
      const student = await inSpan('student.updated commit', () =>
        store.update(id, input, { actor, events: eventsFor('student.updated') }),
      );
      if (!student) throw notFound(id);
      await deps.invalidate(id, 'updated');
      await afterWrite('student.updated', student);
      return student;
    },
    async delete(id, actor) {
      guard();
      let row: Student | undefined;
      const events = eventsFor('student.deleted');
      const existed = await inSpan('student.deleted commit', () =>
        store.delete(id, { actor, events: (s) => ((row = s), events?.(s) ?? []) }),
      );
      if (!existed) throw notFound(id);
      await deps.invalidate(id, 'deleted');
      await afterWrite('student.deleted', row ?? ({ id } as Student));
    },
  };
}
