import { createHash } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { AppError } from '../../shared/errors.ts';
import { callerOf, parseListQuery, parseStudentId, parseStudentInput } from '../students/student-input.ts';
import type { StudentService } from '../students/student-service.ts';
import type { RawBodyRequest } from './dedupe-middleware.ts';
import { methodNotAllowed } from './error-middleware.ts';

export interface StudentRoutesDeps {
  service: StudentService;
  dedupeGet: RequestHandler;
  dedupePut: RequestHandler;
  /** Largest accepted JSON body in bytes; larger ones get 413. */
  maxBodyBytes: number;
}

const jsonTypes = ['application/json', 'application/*+json'];

/** 415 for a body that is not JSON (a missing body is left to validation). */
const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(jsonTypes)) {
    throw new AppError('unsupported_media_type', { detail: `send ${jsonTypes.join(' or ')}` });
  }
  next();
};

const validId: RequestHandler = (req, _res, next) => {
  parseStudentId(req.params.id);
  next();
};

/** The student routes; mounted at `/api/students` and the seed's `/api/student`. */
export function createStudentRouter({
  service,
  dedupeGet,
  dedupePut,
  maxBodyBytes,
}: StudentRoutesDeps): Router {
  const router = Router();
  const json = express.json({
    limit: maxBodyBytes,
    type: jsonTypes,
    verify: (req, _res, buf) => void ((req as RawBodyRequest).rawBody = Buffer.from(buf)),
  });
  const writable: RequestHandler = (_req, _res, next) => {
    service.assertWritable();
    next();
  };
  const body = [writable, requireJson, json];

  router.post('/', ...body, async (req: RawBodyRequest, res) => {
    const input = parseStudentInput(req.body);
    const actor = callerOf(req.headers.authorization);
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw new AppError('validation_failed', { detail: 'Idempotency-Key must be 1–200 characters' });
    }
    const idempotency = key
      ? { scope: actor, key, requestHash: createHash('sha256').update(JSON.stringify(input)).digest('hex') }
      : undefined;
    const result = await service.create(input, actor, idempotency);
    if (result.kind === 'key_reused') throw new AppError('idempotency_key_reused');
    const student = result.kind === 'created' ? result.student : (JSON.parse(result.body) as { id: string });
    res.status(result.kind === 'created' ? 201 : result.status).location(`/api/students/${student.id}`);
    if (result.kind === 'replayed')
      res.setHeader('x-deduplicated', 'true').setHeader('idempotent-replayed', 'true');
    res.json(student);
  });

  router.get('/', async (req, res) => {
    res.json(await service.list(parseListQuery(req.query)));
  });

  router.get('/:id', validId, dedupeGet, async (req, res) => {
    res.json(await service.get(parseStudentId(req.params.id)));
  });

  router.put('/:id', validId, ...body, dedupePut, async (req: RawBodyRequest, res) => {
    const student = await service.update(
      parseStudentId(req.params.id),
      parseStudentInput(req.body),
      callerOf(req.headers.authorization),
    );
    res.json(student);
  });

  router.delete('/:id', validId, writable, async (req, res) => {
    await service.delete(parseStudentId(req.params.id), callerOf(req.headers.authorization));
    res.status(204).end();
  });

  router.all('/', methodNotAllowed('GET, POST'));
  router.all('/:id', methodNotAllowed('GET, PUT, DELETE'));
  return router;
}
