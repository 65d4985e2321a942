import type { Config } from 'jest';

const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  moduleNameMapper: {
    '^@herd/(registry|database|saga|health|marathon|manifest|testing|service|contracts|swarm|media)$':
      '<rootDir>/libs/$1/src',
  },
  roots: [
    '<rootDir>/apps',
    '<rootDir>/libs',
    '<rootDir>/test',
    '<rootDir>/scripts',
    '<rootDir>/schematics',
  ],
} satisfies Config;

const config: Config = {
  // Integration suites share one Kafka, Consul and PostgreSQL, and the example services' topics and
  // consumer groups: one suite at a time keeps them from stepping on each other.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/libs/testing/src/jest/summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      // Brings the real servers up (or reuses them) once before any integration suite runs.
      globalSetup: '<rootDir>/libs/testing/src/jest/integration-global-setup.ts',
      setupFiles: ['<rootDir>/libs/testing/src/jest/integration-env.ts'],
      slowTestThreshold: 30,
    },
  ],
};

export default config;
