import type { NodeSample } from '../devnet/history.js'
import { activeAt, affects, faultWindows, samplesByNode, sequencerNodes } from './faultWindows.js'
import { withDefaults } from './options.js'
import { findStalls, type Point } from './stall.js'
import type { Invariant } from './types.js'

/** A sampling round in which a node did not answer (frozen, dead or unreachable without a fault saying so). */
export interface NoAnswer {
  t: number
  node: string
  answered: false
}

/**
 * While no fault acts on the batcher, L1 or a sequencer (nor did within `graceMs`), each node's safe
 * number rises at least once every `safeStallMs`; a node is exempt while a fault acts on it. A sampling
 * round (any sample of another node or of L1) in which the node did not answer counts as no rise.
 */
export const safeLiveness: Invariant = {
  id: 'safeLiveness',
  description: 'every safe head advances while the batcher and L1 run',
  check(history, options) {
    const { safeStallMs, graceMs } = withDefaults(options)
    const windows = faultWindows(history, graceMs)
    const watched = ['l1', 'batcher', ...sequencerNodes(history)]
    const rounds = [...new Set([...history.samples, ...history.l1].map((s) => s.t))].sort((a, b) => a - b)
    return [...samplesByNode(history)].flatMap(([node, samples]) => {
      const at = new Map(samples.map((s) => [s.t, s]))
      let last: NodeSample | undefined
      const points: Point<NodeSample | NoAnswer>[] = rounds.flatMap((t) => {
        const sample = at.get(t)
        if (sample) last = sample
        if (!last) return []
        const active = activeAt(windows, t, graceMs)
        const checked = !active.some((w) => affects(w, node) || watched.some((s) => affects(w, s)))
        return [{ t, value: last.safe.number, checked, sample: sample ?? { t, node, answered: false } }]
      })
      return findStalls(points, safeStallMs).map(({ from, to }) => ({
        invariant: this.id,
        t: to.t,
        node,
        message: `${node}: safe head stalled at ${from.value} from t=${from.t}ms to t=${to.t}ms (more than ${safeStallMs}ms)${'answered' in to.sample ? ', not answering' : ''}`,
        evidence: [from.sample, to.sample],
      }))
    }).sort((a, b) => a.t - b.t)
  },
}
