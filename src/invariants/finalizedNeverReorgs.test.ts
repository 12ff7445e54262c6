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

  test('behavior: across a cold start (restart with fresh: state wiped) the finalized head starts over; a plain restart is no excuse', () => {
    const history = healthyHistory({ nodes: ['sequencer', 'replica-0'], untilMs: 2000 })
    const restart = (fresh: boolean) => [
      { t: 2100, kind: 'fault-start' as const, name: 'restart', targets: ['replica-0'], lasts: 'instant' as const, details: { service: 'replica-0', fresh } },
      { t: 2300, kind: 'fault-end' as const, name: 'restart', targets: ['replica-0'] },
    ]
    const during = sample(2200, 'replica-0', { unsafe: 12, safe: 8, finalized: 4 })
    const after = sample(2400, 'replica-0', { unsafe: 0, safe: 0, finalized: 0 })
    history.samples.push(during, after)
    expect(finalizedNeverReorgs.check({ ...history, events: [...history.events, ...restart(true)] })).toEqual([])
    expect(finalizedNeverReorgs.check({ ...history, events: [...history.events, ...restart(false)] })).toMatchObject([
      { invariant: 'finalizedNeverReorgs', t: 2400, node: 'replica-0', message: 'replica-0: finalized head moved back from 4 to 0' },
    ])
    // After the cold start, moving back is reported again.
    const later = sample(2600, 'replica-0', { unsafe: 0, safe: 0, finalized: 0 })
    const back = { ...sample(2500, 'replica-0', { unsafe: 3, safe: 2, finalized: 1 }) }
    history.samples.push(back, later)
    expect(finalizedNeverReorgs.check({ ...history, events: [...history.events, ...restart(true)] })).toMatchObject([{ t: 2600, message: 'replica-0: finalized head moved back from 1 to 0' }])
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
