/** A small synthetic run for report tests: a partition, an L1 reorg, a violation, a failed expectation. */
import { healthyHistory } from '../../../invariants/__fixtures__/history.js'
import type { History } from '../../../devnet/history.js'
import type { ScenarioResult } from '../../types.js'

export function syntheticRun(): { history: History; result: ScenarioResult } {
  const history = healthyHistory({ untilMs: 30_000, stepMs: 500 })
  history.scenario = 'replica-partition'
  history.events.push(
    { t: 5000, kind: 'fault-start', name: 'partition', targets: ['replica-0', 'sequencer'], details: { links: 'p2p' } },
    { t: 15_000, kind: 'fault-end', name: 'partition', targets: ['replica-0', 'sequencer'] },
    { t: 20_000, kind: 'fault-start', name: 'l1Reorg', targets: ['l1'], lasts: 'instant', details: { depth: 2 } },
  )
  const offending = history.samples.find((s) => s.node === 'replica-0' && s.t === 12_000)!
  const before = history.samples.find((s) => s.node === 'replica-0' && s.t === 11_500)!
  const result: ScenarioResult = {
    scenario: 'replica-partition',
    file: 'scenarios/replica-partition.yaml',
    runtime: 'process',
    seed: 1234,
    passed: false,
    durationMs: 30_000,
    steps: [
      { index: 0, kind: 'wait', label: 'wait replica-0.safe >= 5', status: 'passed', startedAt: 0, durationMs: 1200 },
      { index: 1, kind: 'fault', label: 'fault partition groups=[["replica-0"],["sequencer"]] links=p2p', status: 'passed', startedAt: 1200, durationMs: 3800 },
      {
        index: 2,
        kind: 'expect',
        label: 'expect replica-0.unsafe < sequencer.unsafe - 2 within 5s',
        status: 'failed',
        startedAt: 5000,
        durationMs: 5000,
        message: 'replica-0.unsafe (29) < sequencer.unsafe - 2 (27) did not hold within 5s',
        evidence: [offending],
      },
    ],
    invariants: ['headOrdering', 'safeMovesBackOnlyOnL1Reorg', 'nodesAgree'],
    violations: [
      {
        invariant: 'safeMovesBackOnlyOnL1Reorg',
        t: 12_000,
        node: 'replica-0',
        message: 'replica-0: safe head moved back from 27 to 26 with no L1 reorg in the 15000ms before <&>',
        evidence: [before, offending],
      },
    ],
  }
  return { history, result }
}
