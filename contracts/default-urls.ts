/**
 * Connection defaults matching what `npm run infra` (lab/infra/ensure-infra.sh) sets up.
 * Development credentials only; override with DATABASE_URL, AMQP_URL, REDIS_URL.
 */
export const defaultUrls = {
  database: 'postgres://lab:lab@127.0.0.1:5432/lab',
  amqp: 'amqp://lab:lab@127.0.0.1:5672',
  redis: 'redis://127.0.0.1:6379',
} as const;
