import type { Envelope } from '../../../contracts/envelope.ts';
import {
  notificationOf,
  runCacheStep,
  studentIdOf,
  type HandlerDeps,
  type HandlerOutcome,
  type MessageHandler,
} from './handler-deps.ts';

/**
 * `student.deleted`: evict the cache (L2 key and every API's L1 copy), then in one transaction
 * record the messageId and append `student.deleted`. Eviction is idempotent, so running it again
 * for a redelivered duplicate is harmless; the notification is appended once.
 */
export function createStudentDeletedHandler(deps: HandlerDeps): MessageHandler {
  return async (event: Envelope): Promise<HandlerOutcome> => {
    const studentId = studentIdOf(event);
    await runCacheStep(deps, 'evict', (cache) => cache.evict(studentId));
    const recorded = await deps.store.recordMessage({
      messageId: event.messageId,
      messageType: event.type,
      notifications: [
        notificationOf(deps, event, 'student.deleted', { id: studentId }, new Date(event.occurredAt)),
      ],
    });
    if (!recorded) return 'duplicate';
    deps.wakeRelay();
    return 'ok';
  };
}
