import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * The files that take longest, longest first (CI of fbd18b3: 752, 626 and 390 s of a 1590 s test step).
 * Without a duration cache (a clean clone) vitest orders files by size, and these small files started
 * last, 830 s in, and ran on alone for the last 750 s.
 */
const longest = ['test/scenario.docker.test.ts', 'test/scenario.process.test.ts', 'test/chaos.test.ts']

/** vitest's order, with the longest files moved to the front so that no long file starts last. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (file: TestSpecification) => {
      const i = longest.findIndex((path) => file.moduleId.endsWith(path))
      return i < 0 ? longest.length : i
    }
    return sorted.map((file, i) => ({ file, i })).sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i).map(({ file }) => file)
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start whole devnets; keep them from starving each other on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
})
