#!/usr/bin/env node
/**
 * Refreshes `test/durations.json` (the longest-first order of both test tiers, `test/sequencer.ts`) from
 * the JSON reports a CI run leaves (`.ci/results.json`, `.ci/results.full.json`, vitest's `json`
 * reporter, in `<clone>/.ci/`): seconds per file, start to end, for files of 2 s or more (the longer of
 * the two tiers for a suite in both). A file missing from the reports keeps its old figure.
 * @example node scripts/durations.mjs            # after `bash .ci/run`
 * @example node scripts/durations.mjs a.json b.json
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const target = new URL('../test/durations.json', import.meta.url)
const reports = process.argv.slice(2).length ? process.argv.slice(2) : ['.ci/results.json', '.ci/results.full.json'].map((f) => root + f)
const seconds = JSON.parse(readFileSync(target, 'utf8'))
let read = 0
// A suite of both tiers (the process half in one, the docker half in the other) keeps the longer figure.
const fresh = {}
for (const report of reports) {
  if (!existsSync(report)) {
    console.warn(`durations: no report at ${report}`)
    continue
  }
  for (const file of JSON.parse(readFileSync(report, 'utf8')).testResults ?? []) {
    const s = Math.round((file.endTime - file.startTime) / 1000)
    // Paths are absolute in the clone the report was written in (`<clone>/.ci/<report>`).
    const name = relative(dirname(dirname(resolve(report))), file.name)
    fresh[name] = Math.max(fresh[name] ?? 0, s)
    read++
  }
}
for (const [name, s] of Object.entries(fresh)) {
  if (s >= 2) seconds[name] = s
  else delete seconds[name]
}
if (read === 0) {
  console.error('durations: no test file in the reports; nothing written')
  process.exit(1)
}
const sorted = Object.fromEntries(Object.entries(seconds).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
writeFileSync(target, `${JSON.stringify(sorted, null, 2)}\n`)
console.log(`durations: ${read} files read, ${Object.keys(sorted).length} kept in test/durations.json`)
