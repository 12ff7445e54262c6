import type { NodeSample, Violation } from '../devnet/history.js'
import { coldStartBetween, coldStarts, faultWindows } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * Per node, the finalized number never decreases, except across a cold start (a node whose state was
 * wiped starts over from genesis: not a reorg); a number once finalized keeps its hash, within a node and
 * across nodes.
 */
export const finalizedNeverReorgs: Invariant = {
  id: 'finalizedNeverReorgs',
  description: 'finalized heads never move back, and a finalized number keeps its hash on every node',
  check(history, options) {
    const out: Violation[] = []
    const last = new Map<string, NodeSample>()
    const firstAt = new Map<number, NodeSample>()
    const reported = new Set<string>()
    const cold = coldStarts(faultWindows(history, withDefaults(options).graceMs))
    for (const sample of history.samples.toSorted((a, b) => a.t - b.t)) {
      const { node, finalized, t } = sample
      const restarted = (p: NodeSample) => coldStartBetween(cold, node, p.t, t)
      const previous = [last.get(node)].find((p) => p && !restarted(p))
      last.set(node, sample)
      if (previous && finalized.number < previous.finalized.number) {
        out.push({
          invariant: this.id,
          t,
          node,
          message: `${node}: finalized head moved back from ${previous.finalized.number} to ${finalized.number}`,
          evidence: [previous, sample],
        })
      }
      const first = firstAt.get(finalized.number)
      if (!first) firstAt.set(finalized.number, sample)
      else if (first.finalized.hash !== finalized.hash && !reported.has(`${finalized.number}:${finalized.hash}`)) {
        reported.add(`${finalized.number}:${finalized.hash}`)
        const where = first.node === node ? 'earlier' : `on ${first.node}`
        out.push({
          invariant: this.id,
          t,
          node,
          message: `${node}: finalized block ${finalized.number} is ${finalized.hash}, but it was finalized ${where} as ${first.finalized.hash}`,
          evidence: [first, sample],
        })
      }
    }
    return out
  },
}
