/**
 * Node flags each service runs with, wherever it is started (the lab, `npm start`, compose; a test
 * keeps package.json and docker-compose.yml in step). The notifications service holds thousands of
 * connections: a young generation of at most 2 MB per semi-space keeps 10–14 MB less resident at
 * 10,000 listeners than V8's default of up to 16 MB, at no CPU cost `bench:listeners` could see.
 */
export const serviceNodeFlags = {
  api: [],
  worker: [],
  notifications: ['--max-semi-space-size=2'],
} as const satisfies Record<string, readonly string[]>;

export type ServiceWithFlags = keyof typeof serviceNodeFlags;
