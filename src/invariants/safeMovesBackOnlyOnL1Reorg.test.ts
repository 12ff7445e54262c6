import { describe, expect, test } from 'vitest'
import { healthyHistory, l1Sample, sample } from './__fixtures__/history.js'
import { safeMovesBackOnlyOnL1Reorg } from './safeMovesBackOnlyOnL1Reorg.js'

/** One node whose safe head drops from 14 to 10 at t=5500. */
function droppingSafe() {
  const history = healthyHistory({ nodes: ['replica-0'], untilMs: 5000 })
  const before = history.samples.at(-1)!
  const after = sample(5500, 'replica-0', { unsafe: 15, safe: 10, finalized: 7 })
  history.samples.push(after)
  return { history, before, after }
}

describe('safeMovesBackOnlyOnL1Reorg', () => {
  test('default: a healthy run passes', () => {
    expect(safeMovesBackOnlyOnL1Reorg.check(healthyHistory())).toEqual([])
  })

  test('behavior: a drop with no L1 reorg is reported', () => {
    const { history, before, after } = droppingSafe()
    expect(safeMovesBackOnlyOnL1Reorg.check(history)).toEqual([
      {
        invariant: 'safeMovesBackOnlyOnL1Reorg',
        t: 5500,
        node: 'replica-0',
        message: 'replica-0: safe head moved back from 11 to 10 with no L1 reorg in the 15000ms before',
        evidence: [before, after],
      },
    ])
  })

  test('behavior: a drop after an l1Reorg event is allowed, unless the event is older than reorgWindowMs', () => {
    const { history } = droppingSafe()
    history.events.push({ t: 4000, kind: 'fault-start', name: 'l1Reorg', targets: ['l1'], details: { depth: 2 } })
    expect(safeMovesBackOnlyOnL1Reorg.check(history)).toEqual([])
    expect(safeMovesBackOnlyOnL1Reorg.check(history, { reorgWindowMs: 1000 })).toHaveLength(1)
  })

  test('behavior: a drop across a restart (no answer during a fault window on the node) is allowed, not otherwise', () => {
    /** replica-0 answers until 5 s, then (if `down`) not until 8.5 s, when its safe head is 10. */
    const restart = (down: boolean, window?: { name: string; targets: string[] }) => {
      const history = healthyHistory({ nodes: ['replica-0'], untilMs: 8000 })
      if (down) history.samples = history.samples.filter((s) => s.t <= 5000)
      history.samples.push(sample(8500, 'replica-0', { unsafe: 15, safe: 10, finalized: 7 }))
      if (window) {
        history.events.push({ t: 5200, kind: 'fault-start', name: window.name, targets: window.targets })
        history.events.push({ t: 8400, kind: 'fault-end', name: window.name, targets: window.targets, by: 'start' })
      }
      return safeMovesBackOnlyOnL1Reorg.check(history)
    }
    expect(restart(true, { name: 'crash', targets: ['replica-0'] })).toEqual([])
    // The node kept answering through the window (a partition): still a violation.
    expect(restart(false, { name: 'partition', targets: ['replica-0', 'sequencer'] })).toHaveLength(1)
    // Not answering with no fault on it, or with a fault on another service: still a violation.
    expect(restart(true)).toHaveLength(1)
    expect(restart(true, { name: 'crash', targets: ['batcher'] })).toHaveLength(1)
  })

  test('behavior: a drop after L1 samples show a hash change is allowed', () => {
    const { history } = droppingSafe()
    history.l1.push(l1Sample(5200, 7, 1))
    expect(safeMovesBackOnlyOnL1Reorg.check(history)).toEqual([])
  })
})
