import type { Invariant } from './types.js'

/** Every agreement sample (hashes of several nodes at one height, at or below their common safe head) has one hash. */
export const nodesAgree: Invariant = {
  id: 'nodesAgree',
  description: 'nodes agree on every block at or below their common safe head',
  check(history) {
    return history.agreement
      .filter((sample) => new Set(Object.values(sample.hashes)).size > 1)
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
