import type { Violation } from '../devnet/history.js'
import { l1HashChanges, samplesByNode } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * A node's safe number decreases only within `reorgWindowMs` after an L1 reorg: an `l1Reorg`
 * fault-start event, or an L1 sample showing a block hash change.
 */
export const safeMovesBackOnlyOnL1Reorg: Invariant = {
  id: 'safeMovesBackOnlyOnL1Reorg',
  description: 'a safe head moves back only shortly after an L1 reorg',
  check(history, options) {
    const { reorgWindowMs } = withDefaults(options)
    const reorgs = [
      ...history.events.filter((e) => e.kind === 'fault-start' && e.name === 'l1Reorg').map((e) => e.t),
      ...l1HashChanges(history),
    ]
    const out: Violation[] = []
    for (const [node, samples] of samplesByNode(history)) {
      samples.forEach((sample, i) => {
        const previous = samples[i - 1]
        if (!previous || sample.safe.number >= previous.safe.number) return
        if (reorgs.some((t) => t <= sample.t && sample.t - t <= reorgWindowMs)) return
        out.push({
          invariant: this.id,
          t: sample.t,
          node,
          message: `${node}: safe head moved back from ${previous.safe.number} to ${sample.safe.number} with no L1 reorg in the ${reorgWindowMs}ms before`,
          evidence: [previous, sample],
        })
      })
    }
    return out.sort((a, b) => a.t - b.t)
  },
}
