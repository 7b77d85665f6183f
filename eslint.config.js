import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const labNotScenarios = {
  group: ['**/scenarios/**'],
  message: 'Only the CLI entry (lab/cli.ts) hands the scenario registry to the engine.',
};
const labNotSystem = {
  group: ['**/system/**'],
  message: 'The lab drives the system over the network; shared facts live in contracts/.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'reports/',
      '.cache/',
      'system/notifications/public/vendor/',
      'scenarios/k6/',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Imports run one way: system → contracts ← lab ← scenarios (ARCHITECTURE.md).
  {
    files: ['contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/system/**', '**/lab/**', '**/scenarios/**'],
              message: 'contracts/ imports nothing of ours.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['system/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/lab/**', '**/scenarios/**'],
              message: 'The services never import the lab or its scenarios.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lab/**/*.ts'],
    ignores: ['lab/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [labNotScenarios, labNotSystem] }],
    },
  },
  // The CLI entry hands the registry to the engine; the fault proxy's process reuses the services'
  // graceful shutdown (process lifecycle, not a system fact).
  { files: ['lab/cli.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [labNotSystem] }] } },
  // Benchmarks of one component in-process (the API, the outbox relay, the worker) run that
  // component's own code: that is what they measure.
  {
    files: [
      'lab/faults/toxiproxy-server-main.ts',
      'lab/bench/api-bench-targets.ts',
      'lab/bench/relay-bench.ts',
      'lab/bench/worker-bench.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [labNotScenarios] }] },
  },
  // The lab refuses (or redoes) a stale build by the same rule `npm start` uses.
  {
    files: ['lab/target/service-build.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [labNotScenarios] }] },
  },
  // The configuration docs generator reads the services' zod schemas: they are what it documents.
  {
    files: ['lab/docs/configuration-docs.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [labNotScenarios] }] },
  },
  {
    files: ['scenarios/**/*.ts'],
    ignores: ['scenarios/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/lab/**', '!**/lab/index.ts'],
              message: 'Scenarios use the lab through lab/index.ts.',
            },
            {
              group: ['**/system/**'],
              message: 'Scenarios drive the system through the lab; shared facts live in contracts/.',
            },
          ],
        },
      ],
    },
  },
);
