import { activeAt, affects, faultWindows, samplesByNode, sequencerNodes } from './faultWindows.js'
import { withDefaults } from './options.js'
import { findStalls } from './stall.js'
import type { Invariant } from './types.js'

/**
 * While no fault acts on the batcher, L1 or a sequencer (nor did within `graceMs`), each node's safe
 * number rises at least once every `safeStallMs`; a node is exempt while a fault acts on it.
 */
export const safeLiveness: Invariant = {
  id: 'safeLiveness',
  description: 'every safe head advances while the batcher and L1 run',
  check(history, options) {
    const { safeStallMs, graceMs } = withDefaults(options)
    const windows = faultWindows(history, graceMs)
    const watched = ['l1', 'batcher', ...sequencerNodes(history)]
    return [...samplesByNode(history)].flatMap(([node, samples]) => {
      const points = samples.map((sample) => {
        const active = activeAt(windows, sample.t, graceMs)
        const blocked = active.some((w) => affects(w, node) || watched.some((s) => affects(w, s)))
        return { t: sample.t, value: sample.safe.number, checked: !blocked, sample }
      })
      return findStalls(points, safeStallMs).map(({ from, to }) => ({
        invariant: this.id,
        t: to.t,
        node,
        message: `${node}: safe head stalled at ${from.value} from t=${from.t}ms to t=${to.t}ms (more than ${safeStallMs}ms)`,
        evidence: [from.sample, to.sample],
      }))
    }).sort((a, b) => a.t - b.t)
  },
}
