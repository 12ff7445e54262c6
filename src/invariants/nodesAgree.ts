import { inReorgGrace, reorgTimes } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * Every agreement sample (hashes of several nodes at one height, at or below their common safe head) has
 * one hash, but samples taken within `graceMs` after a reorg (an L1 reorg, L1 hashes changing, an unsafe
 * head moving back; as outputRootsAgree does): the safe heads were read before the hashes, and one node
 * may already have derived the block again on the new L1 chain while the other had not yet seen it.
 */
export const nodesAgree: Invariant = {
  id: 'nodesAgree',
  description: 'nodes agree on every block at or below their common safe head',
  check(history, options) {
    const { graceMs } = withDefaults(options)
    const boundaries = reorgTimes(history)
    return history.agreement
      .filter((sample) => new Set(Object.values(sample.hashes)).size > 1 && !inReorgGrace(sample.t, boundaries, graceMs))
      .toSorted((a, b) => a.t - b.t)
      .map((sample) => ({
        invariant: this.id,
        t: sample.t,
        message: `nodes disagree on block ${sample.number}: ${Object.entries(sample.hashes)
          .map(([node, hash]) => `${node} ${hash}`)
          .join(', ')}`,
        evidence: [sample],
      }))
  },
}
