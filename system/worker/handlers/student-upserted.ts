import type { Envelope, Student } from '../../../contracts/envelope.ts';
import {
  notificationOf,
  runCacheStep,
  studentIdOf,
  type HandlerDeps,
  type HandlerOutcome,
  type MessageHandler,
} from './handler-deps.ts';

/**
 * `student.created` and `student.updated`: increment `updates`, re-cache, notify.
 *
 * 1. One transaction: claim the messageId (stage 'effect_committed'), `updates = updates + 1`,
 *    append the event notification (`student.created|updated`) to the outbox.
 * 2. After commit: write Redis L2 (compare-and-set) and publish the L1 invalidation; a Redis
 *    outage skips this step.
 * 3. A second, small transaction: mark the message 'done' and append `student.cached`. So
 *    `student.cached` is only ever relayed after the cache step ran (or was skipped); a crash
 *    between 1 and 3 leaves the message unacked, and its redelivery resumes at step 2.
 */
export function createStudentUpsertedHandler(deps: HandlerDeps): MessageHandler {
  const now = deps.now ?? (() => new Date());
  return async (event: Envelope): Promise<HandlerOutcome> => {
    const result = await deps.store.applyUpdate({
      messageId: event.messageId,
      messageType: event.type,
      studentId: studentIdOf(event),
      notificationsFor: (student) => [
        notificationOf(deps, event, event.type, student, new Date(event.occurredAt)),
      ],
    });
    if (result.outcome === 'duplicate') return 'duplicate';
    if (result.outcome === 'not_found') {
      deps.logger.info({ studentId: event.payload.id }, 'student no longer exists; event skipped');
      return 'skipped';
    }
    const completed = await cacheAndComplete(deps, event, result.student, now);
    // One wake for both notifications: the relay publishes them in one batch, in id order.
    if (completed || result.outcome === 'applied') deps.wakeRelay();
    return completed || result.outcome === 'applied' ? 'ok' : 'duplicate';
  };
}

async function cacheAndComplete(
  deps: HandlerDeps,
  event: Envelope,
  student: Student | undefined,
  now: () => Date,
): Promise<boolean> {
  const notifications = [];
  if (student) {
    await runCacheStep(deps, 'put', (cache) => cache.put(student));
    notifications.push(notificationOf(deps, event, 'student.cached', student, now()));
  }
  return deps.store.completeMessage({ messageId: event.messageId, notifications });
}
