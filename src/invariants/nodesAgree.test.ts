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
})
