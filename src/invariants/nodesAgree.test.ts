import { describe, expect, test } from 'vitest'
import { hash, healthyHistory } from './__fixtures__/history.js'
import { nodesAgree } from './nodesAgree.js'

describe('nodesAgree', () => {
  test('default: agreeing samples pass', () => {
    const history = healthyHistory()
    history.agreement.push({ t: 1000, number: 5, hashes: { sequencer: hash(5), 'replica-0': hash(5) } })
    expect(nodesAgree.check(history)).toEqual([])
  })

  test('behavior: two hashes at one height are reported', () => {
    const history = healthyHistory()
    const bad = { t: 2000, number: 6, hashes: { sequencer: hash(6), 'replica-0': hash(6, 1) } }
    history.agreement.push({ t: 1000, number: 5, hashes: { sequencer: hash(5), 'replica-0': hash(5) } }, bad)
    expect(nodesAgree.check(history)).toEqual([
      {
        invariant: 'nodesAgree',
        t: 2000,
        message: `nodes disagree on block 6: sequencer ${hash(6)}, replica-0 ${hash(6, 1)}`,
        evidence: [bad],
      },
    ])
  })

  test('behavior: right after an L1 reorg a node that has not followed it yet is no disagreement; after graceMs it is', () => {
    const history = healthyHistory()
    history.events.push({ t: 2000, kind: 'fault-start', name: 'l1Reorg', targets: ['l1'] })
    const following = { t: 4000, number: 6, hashes: { sequencer: hash(6), 'replica-0': hash(6, 1) } }
    const stuck = { t: 8000, number: 6, hashes: { sequencer: hash(6), 'replica-0': hash(6, 1) } }
    history.agreement.push(following, stuck)
    expect(nodesAgree.check(history).map((v) => v.t)).toEqual([8000])
    expect(nodesAgree.check(history, { graceMs: 10_000 })).toEqual([])
  })
})
