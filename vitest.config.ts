import { configDefaults, defineConfig } from 'vitest/config'

/**
 * `npm test`: unit tests, the integration suites and the checker's own tests. The shipped scenarios at
 * speed 1 on both runtimes and the chaos shrink are the full tier, `test/full/` (`npm run test:full`,
 * `vitest.full.config.ts`): they take about 25 minutes on two cores, and CI runs both tiers.
 */
export const shared = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Integration suites start whole devnets; keep them from starving each other on 2 cores.
  fileParallelism: true,
  maxWorkers: 2,
}

export default defineConfig({
  test: {
    ...shared,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/full/**'],
  },
})
