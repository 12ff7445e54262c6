import { configDefaults, defineConfig } from 'vitest/config'
import { LongestFirst } from './test/sequencer.js'
import { dockerRuntimeTests, tierRuntimes } from './test/tiers.js'

/**
 * `npm test`: unit tests, the integration suites (the process half of those that run on both runtimes,
 * `test/tiers.ts`) and the checker's own tests. The full tier (`npm run test:full`,
 * `vitest.full.config.ts`) is `test/full/` (the shipped scenarios at speed 1 on both runtimes, the chaos
 * shrink, the checker on docker), the docker half of the dual-runtime suites and the docker runtime's own
 * tests. CI runs both tiers.
 */
export const shared = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Integration suites start whole devnets; keep them from starving each other on 2 cores.
  fileParallelism: true,
  maxWorkers: 2,
  sequence: { sequencer: LongestFirst },
}

export default defineConfig({
  test: {
    ...shared,
    env: { DEVNET_TEST_RUNTIMES: tierRuntimes.main },
    projects: [
      // The unit tests share their workers' module graph (no per-file isolation): their imports (viem,
      // libp2p, ...) then load once per worker instead of once per file, which took more time than the
      // tests themselves (src/: 143 s isolated, 101 s shared, same 870 tests). The integration suites too:
      // each starts its own devnets and keeps no module state between files (import 61 s -> 32 s, npm test
      // 385 s -> 356 s).
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'], exclude: [...configDefaults.exclude, ...dockerRuntimeTests], isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/full/**'], isolate: false } },
    ],
  },
})
