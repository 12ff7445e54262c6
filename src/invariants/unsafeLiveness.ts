import type { NodeSample } from '../devnet/history.js'
import { activeAt, affects, faultWindows, sequencerNodes } from './faultWindows.js'
import { withDefaults } from './options.js'
import { findStalls, type Point } from './stall.js'
import type { Invariant } from './types.js'

/**
 * While some node's sequencer is active and no fault acts on a sequencer or L1 (nor did within
 * `graceMs`), the highest unsafe number over all nodes rises at least once every `unsafeStallMs`.
 */
export const unsafeLiveness: Invariant = {
  id: 'unsafeLiveness',
  description: 'the unsafe head advances while a sequencer runs',
  check(history, options) {
    const { unsafeStallMs, graceMs } = withDefaults(options)
    const windows = faultWindows(history, graceMs)
    const watched = ['l1', ...sequencerNodes(history)]
    const latest = new Map<string, NodeSample>()
    const points: Point<NodeSample[]>[] = history.samples
      .toSorted((a, b) => a.t - b.t)
      .map((sample) => {
        latest.set(sample.node, sample)
        const all = [...latest.values()]
        const blocked = activeAt(windows, sample.t, graceMs).some((w) => watched.some((s) => affects(w, s)))
        const sequencing = all.some((s) => s.sequencerActive)
        return { t: sample.t, value: Math.max(...all.map((s) => s.unsafe.number)), checked: sequencing && !blocked, sample: all }
      })
    return findStalls(points, unsafeStallMs).map(({ from, to }) => ({
      invariant: this.id,
      t: to.t,
      message: `unsafe head stalled at ${from.value} from t=${from.t}ms to t=${to.t}ms (more than ${unsafeStallMs}ms) with a sequencer active`,
      evidence: [...from.sample, ...to.sample],
    }))
  },
}
