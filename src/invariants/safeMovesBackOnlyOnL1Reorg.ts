import type { Violation } from '../devnet/history.js'
import { affects, coldStartBetween, coldStarts, faultWindows, l1HashChanges, samplesByNode } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * A node's safe number decreases only within `reorgWindowMs` after an L1 reorg (an `l1Reorg`
 * fault-start event, or an L1 sample showing a block hash change), or across a restart: the node did
 * not answer in the sampling rounds between the two samples, during a fault window on it (a crashed
 * node resumes from what it had persisted, as op-node does from op-geth's last flushed state), or across
 * a cold start (`fresh`: its state wiped, it starts over from genesis, however fast it answers again).
 */
export const safeMovesBackOnlyOnL1Reorg: Invariant = {
  id: 'safeMovesBackOnlyOnL1Reorg',
  description: 'a safe head moves back only shortly after an L1 reorg',
  check(history, options) {
    const { reorgWindowMs, graceMs } = withDefaults(options)
    const windows = faultWindows(history, graceMs)
    const cold = coldStarts(windows)
    const rounds = [...new Set([...history.samples, ...history.l1].map((s) => s.t))]
    /** Whether `node` missed a sampling round between `from` and `to` while a fault window on it was open. */
    const restarted = (node: string, from: number, to: number) =>
      rounds.some((t) => t > from && t < to) && windows.some((w) => affects(w, node) && w.start <= to && w.end >= from)
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
        if (restarted(node, previous.t, sample.t) || coldStartBetween(cold, node, previous.t, sample.t)) return
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
