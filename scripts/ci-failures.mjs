#!/usr/bin/env node
/**
 * Prints the counts and what failed in the JSON reports of a test run (vitest's `json` reporter), each failed test with
 * its file and the head of its failure message, and each file that failed outside a test (a hook, an
 * import). `.ci/run` calls it last, so that a log of which only the tail is kept still names what failed
 * and why, whatever tier it was in. Prints one line when nothing failed; a missing report is said, not
 * an error (a tier that did not run has said why above).
 * @example node scripts/ci-failures.mjs .ci/results.json .ci/results.full.json
 */
import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'

/** Lines of each failure message kept: enough for the assertion, its values and the first frames. */
const HEAD_LINES = 25
const root = new URL('..', import.meta.url).pathname
const reports = process.argv.slice(2)
const head = (text) => {
  const lines = String(text).replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  return [...lines.slice(0, HEAD_LINES), ...(lines.length > HEAD_LINES ? [`... (${lines.length - HEAD_LINES} more lines)`] : [])]
}
let failed = 0
for (const report of reports) {
  if (!existsSync(report)) {
    console.log(`${report}: no report (that tier did not run to its end)`)
    continue
  }
  let results
  try {
    results = JSON.parse(readFileSync(report, 'utf8'))
  } catch (e) {
    console.log(`${report}: not a JSON report (${e.message})`)
    continue
  }
  console.log(`${report}: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`)
  for (const file of results.testResults ?? []) {
    const name = relative(root, file.name)
    const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed')
    for (const test of tests) {
      failed++
      console.log(`FAILED ${name} > ${test.fullName}`)
      for (const message of test.failureMessages ?? []) for (const line of head(message)) console.log(`    ${line}`)
    }
    // A file can fail with no failed test: a hook, an import, an error between tests.
    if (file.status === 'failed' && tests.length === 0) {
      failed++
      console.log(`FAILED ${name} (outside a test)`)
      for (const line of head(file.message || 'no message')) console.log(`    ${line}`)
    }
  }
}
console.log(failed ? `${failed} failure(s) in ${reports.join(', ')}` : `no failed test in ${reports.join(', ')}`)
