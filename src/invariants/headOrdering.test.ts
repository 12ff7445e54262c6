import { describe, expect, test } from 'vitest'
import { healthyHistory, sample } from './__fixtures__/history.js'
import { headOrdering } from './headOrdering.js'

describe('headOrdering', () => {
  test('default: a healthy run passes', () => {
    expect(headOrdering.check(healthyHistory())).toEqual([])
  })

  test('behavior: consecutive out-of-order samples are one violation quoting the first and last', () => {
    const history = healthyHistory({ nodes: ['sequencer'], untilMs: 1000 })
    const bad = [
      sample(1200, 'sequencer', { unsafe: 11, safe: 12, finalized: 3 }),
      sample(1400, 'sequencer', { unsafe: 11, safe: 12, finalized: 3 }),
    ]
    const single = sample(2000, 'sequencer', { unsafe: 12, safe: 8, finalized: 9 })
    history.samples.push(...bad, sample(1600, 'sequencer', { unsafe: 12, safe: 8, finalized: 4 }), single)
    expect(headOrdering.check(history)).toEqual([
      {
        invariant: 'headOrdering',
        t: 1200,
        node: 'sequencer',
        message: 'sequencer: heads out of order (finalized 3, safe 12, unsafe 11) in 2 samples from t=1200ms to t=1400ms',
        evidence: bad,
      },
      {
        invariant: 'headOrdering',
        t: 2000,
        node: 'sequencer',
        message: 'sequencer: heads out of order (finalized 9, safe 8, unsafe 12) at t=2000ms',
        evidence: [single],
      },
    ])
  })
})
