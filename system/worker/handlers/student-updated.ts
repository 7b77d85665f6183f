import type { HandlerDeps, MessageHandler } from './handler-deps.ts';
import { createStudentUpsertedHandler } from './student-upserted.ts';

/** `student.updated`: increment, re-cache and notifications (see student-upserted.ts). */
export const createStudentUpdatedHandler = (deps: HandlerDeps): MessageHandler =>
  createStudentUpsertedHandler(deps);
