import { expect, test } from 'vitest'
import { healthyHistory, sample } from './__fixtures__/history.js'
import * as invariants from './index.js'
import { allInvariants, checkInvariants, invariantIds } from './index.js'

test('default: a healthy run violates nothing', () => {
  expect(checkInvariants(healthyHistory({ untilMs: 60_000 }))).toEqual({ checked: [...invariantIds], violations: [] })
})

test('behavior: each invariant is exported under its id, ids are unique', () => {
  for (const inv of allInvariants) expect(invariants[inv.id as keyof typeof invariants]).toBe(inv)
  expect(new Set(invariantIds).size).toBe(allInvariants.length)
})

test('args: except skips invariants; options reach them', () => {
  const history = healthyHistory({ nodes: ['sequencer'], untilMs: 2000 })
  history.samples.push(sample(2500, 'sequencer', { unsafe: 4, safe: 5, finalized: 3 }))
  const all = checkInvariants(history)
  expect(all.violations.map((v) => v.invariant)).toEqual(['finalizedNeverReorgs', 'headOrdering', 'safeMovesBackOnlyOnL1Reorg'])
  const some = checkInvariants(history, { except: ['headOrdering', 'finalizedNeverReorgs'], reorgWindowMs: 1 })
  expect(some.checked).not.toContain('headOrdering')
  expect(some.violations.map((v) => v.invariant)).toEqual(['safeMovesBackOnlyOnL1Reorg'])
})
