import { describe, expect, test } from 'vitest'
import { hash, healthyHistory, sample } from './__fixtures__/history.js'
import { safeOriginCanonical } from './safeOriginCanonical.js'

/** A history whose l1Canonical holds the fork-0 hash of every L1 block. */
function settled() {
  const history = healthyHistory({ untilMs: 10_000 })
  for (let n = 0; n < 20; n++) history.l1Canonical[n] = hash(n)
  return history
}

describe('safeOriginCanonical', () => {
  test('default: a healthy run passes', () => {
    expect(safeOriginCanonical.check(settled())).toEqual([])
  })

  test('behavior: a non-canonical origin during a fault is allowed, after it settled it is reported', () => {
    const history = settled()
    history.events.push(
      { t: 1000, kind: 'fault-start', name: 'l1Reorg', targets: ['l1'] },
      { t: 1100, kind: 'fault-end', name: 'l1Reorg', targets: ['l1'] },
    )
    // During the fault and before settleMs: not checked.
    history.samples.push(sample(3000, 'replica-0', { unsafe: 13, safe: 9, finalized: 5 }, { originFork: 1 }))
    expect(safeOriginCanonical.check(history)).toEqual([])
    // After fault end + settleMs (5000 by default): checked.
    const late = sample(8000, 'replica-0', { unsafe: 18, safe: 14, finalized: 10 }, { originFork: 1 })
    history.samples.push(late)
    expect(safeOriginCanonical.check(history)).toEqual([
      {
        invariant: 'safeOriginCanonical',
        t: 8000,
        node: 'replica-0',
        message: `replica-0: safe block 14 has L1 origin 7 ${hash(7, 1)}, but the canonical L1 block 7 is ${hash(7)}`,
        evidence: [late, { l1Canonical: { 7: hash(7) } }],
      },
    ])
  })

  test('behavior: while a fault is still active only the last sample is checked', () => {
    const history = settled()
    history.events.push({ t: 1000, kind: 'fault-start', name: 'partition', targets: ['replica-0', 'sequencer'] })
    history.samples.push(sample(9000, 'replica-0', { unsafe: 18, safe: 14, finalized: 10 }, { originFork: 1 }))
    expect(safeOriginCanonical.check(history)).toEqual([])
    const last = sample(11_000, 'replica-0', { unsafe: 18, safe: 14, finalized: 10 }, { originFork: 1 })
    history.samples.push(last)
    expect(safeOriginCanonical.check(history).map((v) => v.evidence[0])).toEqual([last])
  })
})
