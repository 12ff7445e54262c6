import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { ScenarioResult } from '../types.js'
import { syntheticRun } from './__fixtures__/run.js'
import { invariantJUnitReport, junitReport, writeJUnitReport } from './junit.js'
import { escapeXml } from './xml.js'

const unescape = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!)

/** The `<failure>` elements of an XML text: their attributes and body, unescaped. */
function failures(xml: string): { message: string; type: string; body: string }[] {
  return [...xml.matchAll(/<failure message="([^"]*)" type="([^"]*)">([^<]*)<\/failure>/g)].map(([, message, type, body]) => ({
    message: unescape(message),
    type,
    body: unescape(body),
  }))
}

const passing: ScenarioResult = {
  scenario: 'slow-link',
  passed: true,
  durationMs: 1500,
  steps: [{ index: 0, kind: 'sleep', label: 'sleep 1s', status: 'passed', startedAt: 0, durationMs: 1000 }],
  invariants: ['headOrdering'],
  violations: [],
}

describe('junitReport', () => {
  test('default: one testsuite, one testcase per scenario, counts', () => {
    const { result } = syntheticRun()
    const xml = junitReport([passing, { ...result, error: { message: 'anvil died', code: 'DEVNET_SERVICE_FAILED' } }], { timestamp: '2025-01-01T00:00:00.000Z' })
    expect(xml.match(/<testsuite /g)).toHaveLength(1)
    expect(xml).toContain('<testsuite name="op-devnet scenarios" tests="2" failures="2" errors="1" time="31.500" skipped="0" timestamp="2025-01-01T00:00:00.000Z">')
    expect(xml).toContain('<testcase name="slow-link" classname="op-devnet.scenario" time="1.500"/>')
    expect(xml).toContain('<testcase name="replica-partition" classname="op-devnet.scenario" file="scenarios/replica-partition.yaml" time="30.000">')
    expect(xml).toContain('<error message="anvil died" type="DEVNET_SERVICE_FAILED">anvil died</error>')
  })

  test('behavior: a testcase records the seed of its run as a property', () => {
    const { result } = syntheticRun()
    expect(junitReport([result])).toContain('<properties><property name="seed" value="1234"/></properties>')
    expect(junitReport([passing])).not.toContain('<properties>')
  })

  test('behavior: a run at another clock speed records it beside the seed', () => {
    const { result } = syntheticRun()
    expect(junitReport([{ ...result, speed: 4 }])).toContain('<properties><property name="seed" value="1234"/><property name="speed" value="4"/></properties>')
    expect(invariantJUnitReport({ ...result, speed: 4 }, { invariants: result.invariants })).toContain('<property name="speed" value="4"/>')
  })

  test('behavior: failures name the invariant or step and quote the offending samples', () => {
    const { result } = syntheticRun()
    const [step, invariant] = failures(junitReport([result]))
    expect(step.type).toBe('expectation')
    expect(step.message).toBe(`step 2 (${result.steps[2].label}) failed: ${result.steps[2].message}`)
    expect(step.body).toContain(JSON.stringify(result.steps[2].evidence![0], null, 2))
    expect(invariant.type).toBe('invariant')
    expect(invariant.message).toBe(`invariant safeMovesBackOnlyOnL1Reorg violated at t=12000ms: ${result.violations[0].message}`)
    for (const sample of result.violations[0].evidence) expect(invariant.body).toContain(JSON.stringify(sample, null, 2))
  })

  test('behavior: XML special and invalid characters are escaped', async () => {
    const { result } = syntheticRun()
    result.scenario = 'a&b "<c>"'
    result.violations[0].message = 'bad \u0001 char & <tag>'
    const dir = await mkdtemp(join(tmpdir(), 'junit-'))
    try {
      await writeJUnitReport([result], join(dir, 'sub', 'junit.xml'))
      const xml = await readFile(join(dir, 'sub', 'junit.xml'), 'utf8')
      expect(xml).toContain('<testcase name="a&amp;b &quot;&lt;c&gt;&quot;"')
      expect(xml).toContain('bad \\u0001 char &amp; &lt;tag&gt;')
      expect(xml).not.toMatch(/[\u0000-\u0008]/)
      // Every & starts an entity, no raw < inside attribute values or text.
      expect(xml.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toContain('&')
      expect(failures(xml)).toHaveLength(2)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('behavior: escapeXml', () => {
    expect(escapeXml(`a < b & "c" 'd' > e`)).toBe('a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt; e')
    expect(escapeXml('\uD800x \u{1F600}')).toBe('\\ud800x \u{1F600}')
  })
})

describe('invariantJUnitReport', () => {
  test('default: one testcase per invariant: failures for violations, skipped when not checked, a run case for failed steps', () => {
    const { result } = syntheticRun()
    const ids = ['headOrdering', 'safeMovesBackOnlyOnL1Reorg', 'nodesAgree', 'safeLiveness']
    const xml = invariantJUnitReport(result, { invariants: ids, suite: 'chaos', timestamp: '2025-01-01T00:00:00.000Z' })
    expect([...xml.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1])).toEqual([...ids, 'run'])
    expect(xml).toContain('<testsuite name="chaos" tests="5" failures="2" errors="0" time="30.000" skipped="1" timestamp="2025-01-01T00:00:00.000Z">')
    expect(xml).toContain('<testcase name="headOrdering" classname="op-devnet.replica-partition" time="30.000"/>')
    expect(xml).toMatch(/<testcase name="safeLiveness"[^>]*>\n\s*<skipped\/>/)
    const [invariant, step] = failures(xml.replace(/<failure([^>]*)\/>/g, '<failure$1></failure>'))
    expect(invariant.message).toBe(`invariant safeMovesBackOnlyOnL1Reorg violated at t=12000ms: ${result.violations[0].message}`)
    expect(step).toMatchObject({ type: 'step', message: `step 2 (${result.steps[2].label}) failed: ${result.steps[2].message}` })
    expect(xml).toContain('<property name="seed" value="1234"/>')
  })

  test('behavior: a passing run has one passing case per invariant and no run case', () => {
    const xml = invariantJUnitReport(passing)
    expect(xml).toContain('<testcase name="headOrdering" classname="op-devnet.slow-link" time="1.500"/>')
    expect(xml).not.toContain('name="run"')
    expect(xml).toContain('failures="0" errors="0"')
  })
})
