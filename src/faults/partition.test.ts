import { expect, test } from 'vitest'
import { withL1Clock } from './partition.js'

test('behavior: a partition keeps the L1 clock with L1, in L1\'s group or in the group of services named nowhere', () => {
  const endpoints = { l1: {}, 'l1-clock': {}, sequencer: {}, 'replica-0': {} }
  expect(withL1Clock([['replica-0'], ['sequencer', 'l1', 'batcher']], endpoints)).toEqual([['replica-0'], ['sequencer', 'l1', 'batcher', 'l1-clock']])
  // L1 in no group: neither is the clock
  expect(withL1Clock([['replica-0'], ['sequencer']], endpoints)).toEqual([['replica-0'], ['sequencer']])
  // a devnet without an L1 clock
  expect(withL1Clock([['replica-0'], ['l1']], { l1: {} })).toEqual([['replica-0'], ['l1']])
})
