#!/usr/bin/env node
/**
 * What failed in a test run, for the end of a CI log of which only the tail may be read. For each JSON
 * report (vitest's `json` reporter): its counts and each failed test or file by name. For each log (the
 * run's output): vitest's own account of the failures, the `Failed Suites` / `Failed Tests` sections
 * with their errors (a file that failed in a hook has its error only there: the JSON report leaves its
 * message empty). A missing file is said, not an error (a tier that did not run has said why above).
 * @example node scripts/ci-failures.mjs .ci/results.json .ci/npm-test.log .ci/results.full.json .ci/full.log
 */
import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'

/** Lines of vitest's failure sections kept per log. */
const LOG_LINES = 250
const root = new URL('..', import.meta.url).pathname
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '')

function report(file) {
  const results = JSON.parse(readFileSync(file, 'utf8'))
  console.log(`${file}: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`)
  for (const suite of results.testResults ?? []) {
    const name = relative(root, suite.name)
    const failed = (suite.assertionResults ?? []).filter((t) => t.status === 'failed')
    for (const test of failed) console.log(`  FAILED ${name} > ${test.fullName}`)
    // A file can fail with no failed test: a hook, an import, an error between tests.
    if (suite.status === 'failed' && failed.length === 0) console.log(`  FAILED ${name} (outside a test${suite.message ? `: ${plain(suite.message).split('\n')[0]}` : ''})`)
  }
}

function log(file) {
  const lines = plain(readFileSync(file, 'utf8')).split('\n')
  const from = lines.findIndex((l) => /⎯ Failed (Suites|Tests) \d+ ⎯/.test(l))
  if (from < 0) return console.log(`${file}: no failure section`)
  const to = lines.findIndex((l, i) => i > from && /^\s*Test Files\s/.test(l))
  const section = lines.slice(from, to < 0 ? undefined : to).filter((l) => !/^\s+\d+\|/.test(l)) // without the source excerpts
  console.log(`${file}: vitest's failure sections`)
  for (const line of section.slice(0, LOG_LINES)) console.log(`  ${line}`)
  if (section.length > LOG_LINES) console.log(`  ... (${section.length - LOG_LINES} more lines in ${file})`)
}

for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`${file}: missing (that tier did not run to its end)`)
    continue
  }
  try {
    if (file.endsWith('.json')) report(file)
    else log(file)
  } catch (e) {
    console.log(`${file}: unreadable (${e.message})`)
  }
}
