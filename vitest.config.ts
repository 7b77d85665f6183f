import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests (fakes at the ports) and integration tests against real
// PostgreSQL, RabbitMQ and Redis, which run one file at a time so they never fight over the broker.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'contracts/**/*.test.ts',
            'system/**/*.test.ts',
            'lab/**/*.test.ts',
            'scenarios/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['system/**/*.int.test.ts', 'lab/**/*.int.test.ts', 'scenarios/**/*.int.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
