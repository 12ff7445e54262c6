/**
 * Test file order for both tiers: longest first, from `durations.json` (seconds per file with its hooks,
 * as the default reporter prints them after a run; files under 2 s are left out and count as 0). vitest
 * orders by its own duration cache, which a clean clone (CI) does not have: there the long integration
 * suites ran in glob order, and the last one to start ran alone at the end. Longest first keeps both workers busy until the end. Refresh
 * the file when suites change much (`node scripts/durations.mjs` after `bash .ci/run`): only the order depends on it.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

const seconds = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = (f: TestSpecification) => seconds[relative(f.project.config.root, f.moduleId)] ?? 0
    return [...files].sort((a, b) => weight(b) - weight(a))
  }
}
