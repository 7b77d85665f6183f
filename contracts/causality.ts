import type { DomainEventType, NotificationType } from './envelope.ts';

/**
 * The notifications one domain event causes, in the order the worker appends them to its outbox:
 * a create or update first announces the event, then `student.cached` once the cache holds the new
 * version; a delete announces only itself. The lab expects exactly these per accepted write.
 */
export const notificationsCausedBy: Readonly<Record<DomainEventType, readonly NotificationType[]>> = {
  'student.created': ['student.created', 'student.cached'],
  'student.updated': ['student.updated', 'student.cached'],
  'student.deleted': ['student.deleted'],
};
