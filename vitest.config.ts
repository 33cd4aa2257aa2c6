import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Helm and registry processes are heavy; two workers match the machine's two cores.
    maxWorkers: 2,
    reporters: ['default', './test/tools/summary-reporter.ts'],
  },
});
