import type { HandlerDeps, MessageHandler } from './handler-deps.ts';
import { createStudentUpsertedHandler } from './student-upserted.ts';

/** `student.created`: the first increment, re-cache and notifications (see student-upserted.ts). */
export const createStudentCreatedHandler = (deps: HandlerDeps): MessageHandler =>
  createStudentUpsertedHandler(deps);
