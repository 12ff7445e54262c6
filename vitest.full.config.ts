import { defineConfig } from 'vitest/config'
import { shared } from './vitest.config.js'
import { dualRuntimeSuites, tierRuntimes } from './test/tiers.js'

/** `npm run test:full`: the full tier, `test/full/` and the docker half of the dual-runtime suites (see `vitest.config.ts`). */
export default defineConfig({
  test: {
    ...shared,
    include: ['test/full/**/*.test.ts', ...dualRuntimeSuites],
    env: { DEVNET_TEST_RUNTIMES: tierRuntimes.full },
    // Without a Docker engine (outside CI) the docker halves have no test: nothing to run is no failure.
    passWithNoTests: true,
  },
})
