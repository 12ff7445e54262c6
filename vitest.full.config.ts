import { defineConfig } from 'vitest/config'
import { shared } from './vitest.config.js'
import { dockerRuntimeTests, dualRuntimeSuites, tierRuntimes } from './test/tiers.js'

/**
 * `npm run test:full`: the full tier, `test/full/`, the docker half of the dual-runtime suites and the docker
 * runtime's own tests (see `vitest.config.ts`).
 */
export default defineConfig({
  test: {
    ...shared,
    include: ['test/full/**/*.test.ts', ...dualRuntimeSuites, ...dockerRuntimeTests],
    env: { DEVNET_TEST_RUNTIMES: tierRuntimes.full },
    // Without a Docker engine (outside CI) the docker halves have no test: nothing to run is no failure.
    passWithNoTests: true,
  },
})
