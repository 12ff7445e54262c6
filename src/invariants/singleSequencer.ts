import type { BlockClaim } from '../devnet/history.js'
import type { Invariant } from './types.js'

/**
 * No two different blocks at one L2 height were ever sequenced (by a conductor-managed node while
 * active) or committed (by a conductor): equivocation. One violation per height, naming both blocks
 * and who vouched for each. Histories without claims (no conductors) pass.
 */
export const singleSequencer: Invariant = {
  id: 'singleSequencer',
  description: 'one block per L2 height is ever sequenced or committed (no equivocation)',
  check(history) {
    const first = new Map<number, BlockClaim>()
    const reported = new Set<number>()
    const out = []
    for (const claim of (history.claims ?? []).toSorted((a, b) => a.t - b.t)) {
      const earlier = first.get(claim.number)
      if (!earlier) {
        first.set(claim.number, claim)
        continue
      }
      if (earlier.hash === claim.hash || reported.has(claim.number)) continue
      reported.add(claim.number)
      out.push({
        invariant: this.id,
        t: claim.t,
        node: claim.by,
        message:
          `two blocks at L2 height ${claim.number}: ${earlier.hash} (${earlier.via} by ${earlier.by}, t=${earlier.t}ms) ` +
          `and ${claim.hash} (${claim.via} by ${claim.by}, t=${claim.t}ms)`,
        evidence: [earlier, claim],
      })
    }
    return out
  },
}
