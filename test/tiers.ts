/**
 * The two test tiers (`vitest.config.ts`, `vitest.full.config.ts`). The suites below run on both
 * runtimes (`testRuntimes()` in `helpers.ts`): `npm test` runs their process half, `npm run test:full`
 * their docker half, so the developer's loop stays short and CI (both tiers) still runs every suite on
 * both runtimes. The docker runtime's own tests (`src/runtime/docker/`, two minutes of a worker against a
 * real engine) run in the full tier too: `npm test` stays within five minutes on two cores.
 * `tiers.test.ts` checks that every file calling `testRuntimes()` is listed here.
 */
export const dualRuntimeSuites = [
  'test/clients/conformance.test.ts',
  'test/clients/reorg.test.ts',
  'test/conductor.devnet.test.ts',
  'test/conductor.scenario.test.ts',
  'test/depositReorg.test.ts',
  'test/pipeline.test.ts',
  'test/restart.test.ts',
  'test/settlement.test.ts',
  'test/sideBySide.test.ts',
  'test/spanBatches.test.ts',
  'test/window.test.ts',
]

/** The docker runtime's own tests: in the full tier only. */
export const dockerRuntimeTests = ['src/runtime/docker/**/*.test.ts']

/** `DEVNET_TEST_RUNTIMES` of each tier: which half of a dual-runtime suite it runs. */
export const tierRuntimes = { main: 'process', full: 'docker' } as const
