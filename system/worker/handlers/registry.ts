import type { DomainEventType } from '../../../contracts/envelope.ts';
import type { HandlerDeps, MessageHandler } from './handler-deps.ts';
import { createStudentCreatedHandler } from './student-created.ts';
import { createStudentDeletedHandler } from './student-deleted.ts';
import { createStudentUpdatedHandler } from './student-updated.ts';

/** One handler per domain event type; any other type is dead-lettered. */
export const createHandlers = (deps: HandlerDeps): Record<DomainEventType, MessageHandler> => ({
  'student.created': createStudentCreatedHandler(deps),
  'student.updated': createStudentUpdatedHandler(deps),
  'student.deleted': createStudentDeletedHandler(deps),
});
