import type { History, OutputSample, Violation } from '../devnet/history.js'
import { inReorgGrace, reorgTimes } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * Every output sample has `reported == recomputed`, and samples of different nodes for the same block
 * agree. Samples with a `blockHash` are matched by it; others by number, only between samples in the
 * same quiet period: an L1 reorg (event or hash change) or a node's unsafe head moving back starts a
 * new period, and samples within `graceMs` after one are not compared across nodes.
 */
export const outputRootsAgree: Invariant = {
  id: 'outputRootsAgree',
  description: 'output roots equal the recomputed ones and agree across nodes',
  check(history, options) {
    const { graceMs } = withDefaults(options)
    const boundaries = reorgTimes(history)
    const out: Violation[] = []
    const first = new Map<string, OutputSample>()
    const reported = new Set<string>()
    for (const sample of history.outputs.toSorted((a, b) => a.t - b.t)) {
      if (sample.reported !== sample.recomputed) {
        out.push({
          invariant: this.id,
          t: sample.t,
          node: sample.node,
          message: `${sample.node}: output root at block ${sample.number} is ${sample.reported}, recomputed ${sample.recomputed}`,
          evidence: [sample],
        })
      }
      const key = blockKey(sample, boundaries, graceMs)
      if (key === undefined) continue
      const reference = first.get(key)
      if (!reference) first.set(key, sample)
      else if (reference.node !== sample.node && reference.reported !== sample.reported && !reported.has(key)) {
        reported.add(key)
        out.push({
          invariant: this.id,
          t: sample.t,
          node: sample.node,
          message: `${sample.node}: output root at block ${sample.number} is ${sample.reported}, but ${reference.node} reported ${reference.reported}`,
          evidence: [reference, sample],
        })
      }
    }
    return out
  },
}

/** What samples are compared by: the block hash, or the number within a quiet period; `undefined` = not compared. */
function blockKey(sample: OutputSample, boundaries: number[], graceMs: number): string | undefined {
  if (sample.blockHash !== undefined) return `hash:${sample.blockHash}`
  if (inReorgGrace(sample.t, boundaries, graceMs)) return undefined
  const period = boundaries.filter((t) => t <= sample.t).length
  return `number:${sample.number}:${period}`
}
