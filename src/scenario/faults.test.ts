import { expect, test } from 'vitest'
import { INSTANT_FAULTS } from '../invariants/faultWindows.js'
import { endsFault, FAULT_NAMES, FAULTS, faultTargets, type FaultCall } from './faults.js'

test('behavior: the instant faults are those the invariants treat as instant', () => {
  expect(FAULT_NAMES.filter((name) => FAULTS[name].kind === 'instant').sort()).toEqual([...INSTANT_FAULTS].sort())
})

test('behavior: faultTargets', () => {
  expect(faultTargets({ name: 'l1Reorg', args: { depth: 2, reinclude: true, allowFinalized: false } })).toEqual(['l1'])
  expect(faultTargets({ name: 'batcherOutage', args: {} })).toEqual(['batcher'])
  expect(faultTargets({ name: 'heal', args: {} })).toEqual([])
  expect(faultTargets({ name: 'partition', args: { groups: [['replica-0'], ['sequencer', 'l1']], links: 'all' } })).toEqual(['replica-0', 'sequencer', 'l1'])
  expect(faultTargets({ name: 'failover', args: { from: 'sequencer', to: 'replica-0', mode: 'stop' } })).toEqual(['sequencer', 'replica-0'])
  expect(faultTargets({ name: 'pause', args: { service: 'batcher' } })).toEqual(['batcher'])
})

test('behavior: endsFault matches recoveries by name and target', () => {
  const crash: FaultCall = { name: 'crash', args: { service: 'sequencer' } }
  expect(endsFault({ name: 'start', args: { service: 'sequencer' } }, crash)).toBe(true)
  expect(endsFault({ name: 'restart', args: { service: 'sequencer' } }, crash)).toBe(true)
  expect(endsFault({ name: 'start', args: { service: 'replica-0' } }, crash)).toBe(false)
  expect(endsFault({ name: 'resume', args: { service: 'sequencer' } }, crash)).toBe(false)
  const partition: FaultCall = { name: 'partition', args: { groups: [['replica-0'], ['sequencer']], links: 'p2p' } }
  expect(endsFault({ name: 'heal', args: {} }, partition)).toBe(true)
  expect(endsFault({ name: 'batcherResume', args: {} }, { name: 'batcherOutage', args: {} })).toBe(true)
  expect(endsFault({ name: 'heal', args: {} }, { name: 'latency', args: { service: 'replica-0', ms: 5, jitter: 0 } })).toBe(true)
})
