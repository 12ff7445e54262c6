import { describe, expect, test } from 'vitest'
import { healthyHistory, sample } from './__fixtures__/history.js'
import { finalizedNeverReorgs } from './finalizedNeverReorgs.js'

describe('finalizedNeverReorgs', () => {
  test('default: a healthy run passes', () => {
    expect(finalizedNeverReorgs.check(healthyHistory())).toEqual([])
  })

  test('behavior: a finalized head moving back is reported', () => {
    const history = healthyHistory({ nodes: ['sequencer'], untilMs: 2000 })
    const before = history.samples[2]
    const after = sample(2500, 'sequencer', { unsafe: 13, safe: 9, finalized: 3 })
    history.samples.push(after)
    expect(finalizedNeverReorgs.check(history)).toEqual([
      {
        invariant: 'finalizedNeverReorgs',
        t: 2500,
        node: 'sequencer',
        message: 'sequencer: finalized head moved back from 4 to 3',
        evidence: [before, after],
      },
    ])
  })

  test('behavior: a finalized number with another hash on another node is reported', () => {
    const history = healthyHistory({ untilMs: 1000 })
    const first = history.samples.find((s) => s.node === 'sequencer' && s.finalized.number === 3)!
    const other = sample(1500, 'replica-0', { unsafe: 12, safe: 8, finalized: 3 }, { fork: 1 })
    history.samples.push(other)
    const violations = finalizedNeverReorgs.check(history)
    expect(violations).toEqual([
      {
        invariant: 'finalizedNeverReorgs',
        t: 1500,
        node: 'replica-0',
        message: `replica-0: finalized block 3 is ${other.finalized.hash}, but it was finalized on sequencer as ${first.finalized.hash}`,
        evidence: [first, other],
      },
    ])
  })
})
