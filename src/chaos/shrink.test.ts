import { describe, expect, test } from 'vitest'
import { parseScenario } from '../scenario/load.js'
import type { ScenarioResult } from '../scenario/types.js'
import { failureOf, faultUnits, unitLabel, withoutSteps } from './shrink.js'

const text = `# kept comment
name: s
steps:
  - load: { rate: 2, duration: 1m }
  - fault: crash
    args: { service: batcher }
    at: 21s
  - fault: l1Reorg
    args: { depth: 2 }
    at: 22s
  - fault: crash
    args: { service: replica-0 }
    at: 23s
  - fault: start
    args: { service: replica-0 }
    at: 30s
  - fault: partition
    args: { groups: [[sequencer], [replica-0]] }
    at: 31s
  - fault: restart
    args: { service: batcher }
    at: 35s
  - heal: {}
    at: 40s
  - sleep: 5s
    at: 55s
`

describe('shrink', () => {
  test('default: faultUnits pairs each window with the first recovery that ends it on its targets', () => {
    const units = faultUnits(parseScenario(text, 's.yaml').steps)
    expect(units.map((u) => [u.fault.index, u.heal?.index])).toEqual([
      [1, 6],
      [2, undefined],
      [3, 4],
      [5, 7],
    ])
    expect(unitLabel(units[1])).toBe('fault l1Reorg depth=2 reinclude=false allowFinalized=false at 22.0s')
  })

  test('behavior: withoutSteps drops steps and keeps the rest of the file', () => {
    const out = withoutSteps(text, new Set([1, 6]))
    expect(out).toContain('# kept comment')
    expect(parseScenario(out, 's.yaml').steps.map((s) => s.label)).toEqual([
      'load 2 tx/s for 1m',
      'fault l1Reorg depth=2 reinclude=false allowFinalized=false',
      'fault crash service=replica-0',
      'fault start service=replica-0 fresh=false',
      'fault partition groups=[["sequencer"],["replica-0"]] links=all',
      'heal',
      'sleep 5s',
    ])
  })

  test('behavior: failureOf names violated invariants, failed steps and errors', () => {
    const result = {
      violations: [{ invariant: 'safeLiveness' }, { invariant: 'safeLiveness' }, { invariant: 'nodesAgree' }],
      steps: [{ status: 'failed', label: 'fault crash service=batcher' }, { status: 'passed', label: 'x' }],
      error: { message: 'boom' },
    } as unknown as ScenarioResult
    expect([...failureOf(result)]).toEqual(['invariant safeLiveness', 'invariant nodesAgree', 'step fault crash service=batcher', 'error boom'])
  })
})
