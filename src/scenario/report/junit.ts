import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ScenarioResult } from '../types.js'
import { escapeXml } from './xml.js'

export interface JUnitOptions {
  /** Name of the `<testsuite>`. @default 'op-devnet scenarios' */
  suite?: string
  /** ISO time the run started. @default now */
  timestamp?: string
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)
const attrs = (values: Record<string, string | number | undefined>) =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('')

/** Message line, then the quoted samples, for a `<failure>` body. */
function body(message: string, evidence: unknown[] | undefined): string {
  const quoted = evidence?.length ? `\nevidence:\n${evidence.map((e) => JSON.stringify(e, null, 2)).join('\n')}` : ''
  return escapeXml(`${message}${quoted}`)
}

/**
 * One `<testcase>`: its `<properties>` (the seed, to replay the run), a `<failure>` per failed step and per
 * invariant violation, an `<error>` if the run stopped.
 */
function testcase(result: ScenarioResult): string {
  const children: string[] = []
  if (properties(result)) children.push(`      <properties>${properties(result)}</properties>`)
  for (const step of result.steps.filter((s) => s.status === 'failed')) {
    const message = `step ${step.index} (${step.label}) failed${step.message ? `: ${step.message}` : ''}`
    const type = step.kind === 'expect' ? 'expectation' : 'step'
    children.push(`      <failure${attrs({ message, type })}>${body(message, step.evidence)}</failure>`)
  }
  for (const v of result.violations) {
    const message = `invariant ${v.invariant} violated at t=${v.t}ms: ${v.message}`
    children.push(`      <failure${attrs({ message, type: 'invariant' })}>${body(message, v.evidence)}</failure>`)
  }
  if (result.error) {
    children.push(`      <error${attrs({ message: result.error.message, type: result.error.code ?? 'error' })}>${escapeXml(result.error.message)}</error>`)
  }
  const open = `    <testcase${attrs({ name: result.scenario, classname: 'op-devnet.scenario', file: result.file, time: seconds(result.durationMs) })}`
  return children.length ? `${open}>\n${children.join('\n')}\n    </testcase>` : `${open}/>`
}

/**
 * A JUnit XML document for one run: one `<testsuite>`, one `<testcase>` per scenario.
 * @example
 * junitReport([result]).includes('<testcase name="l1-reorg-shallow"')
 */
export function junitReport(results: ScenarioResult[], options: JUnitOptions = {}): string {
  const failures = results.reduce((n, r) => n + r.steps.filter((s) => s.status === 'failed').length + r.violations.length, 0)
  const errors = results.filter((r) => r.error).length
  const time = seconds(results.reduce((n, r) => n + r.durationMs, 0))
  const counts = { tests: results.length, failures, errors, time }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'op-devnet', ...counts })}>`,
    `  <testsuite${attrs({ name: options.suite ?? 'op-devnet scenarios', ...counts, skipped: 0, timestamp: options.timestamp ?? new Date().toISOString() })}>`,
    ...results.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

/**
 * A JUnit XML document for one long run (a chaos run): one `<testcase>` per invariant (a `<failure>` per
 * violation, `<skipped/>` if it was not checked), plus a `run` case when a step failed or the run stopped.
 * @example
 * invariantJUnitReport(result).includes('<testcase name="safeLiveness"')
 */
export function invariantJUnitReport(result: ScenarioResult, options: JUnitOptions & { invariants?: readonly string[] } = {}): string {
  const ids = options.invariants ?? result.invariants
  const cases = ids.map((id) => {
    const open = `    <testcase${attrs({ name: id, classname: `op-devnet.${result.scenario}`, time: seconds(result.durationMs) })}`
    if (!result.invariants.includes(id)) return `${open}>\n      <skipped/>\n    </testcase>`
    const found = result.violations.filter((v) => v.invariant === id)
    if (!found.length) return `${open}/>`
    const children = found.map((v) => {
      const message = `invariant ${v.invariant} violated at t=${v.t}ms: ${v.message}`
      return `      <failure${attrs({ message, type: 'invariant' })}>${body(message, v.evidence)}</failure>`
    })
    return `${open}>\n${children.join('\n')}\n    </testcase>`
  })
  const failedSteps = result.steps.filter((s) => s.status === 'failed')
  if (failedSteps.length || result.error) {
    const children = [
      ...failedSteps.map((s) => `      <failure${attrs({ message: `step ${s.index} (${s.label}) failed: ${s.message ?? ''}`, type: 'step' })}/>`),
      ...(result.error ? [`      <error${attrs({ message: result.error.message, type: result.error.code ?? 'error' })}/>`] : []),
    ]
    cases.push(`    <testcase${attrs({ name: 'run', classname: `op-devnet.${result.scenario}`, time: seconds(result.durationMs) })}>\n${children.join('\n')}\n    </testcase>`)
  }
  const failures = result.violations.length + failedSteps.length
  const counts = { tests: cases.length, failures, errors: result.error ? 1 : 0, time: seconds(result.durationMs) }
  const skipped = ids.filter((id) => !result.invariants.includes(id)).length
  const suiteProperties = properties(result) ? [`    <properties>${properties(result)}</properties>`] : []
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'op-devnet', ...counts })}>`,
    `  <testsuite${attrs({ name: options.suite ?? result.scenario, ...counts, skipped, timestamp: options.timestamp ?? new Date().toISOString() })}>`,
    ...suiteProperties,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

/**
 * Writes the JUnit XML report of a run (creates the directory).
 * @example
 * await writeJUnitReport(results, 'reports/junit.xml')
 */
export async function writeJUnitReport(results: ScenarioResult[], file: string, options?: JUnitOptions): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, junitReport(results, options))
}

/** The run's `<property>` elements: the seed (to replay it) and the devnet clock speed; '' when neither is known. */
function properties(result: ScenarioResult): string {
  const entries = [['seed', result.seed], ['speed', result.speed]].filter((e): e is [string, number] => e[1] !== undefined)
  return entries.map(([name, value]) => `<property${attrs({ name, value })}/>`).join('')
}
