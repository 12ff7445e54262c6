import type { Violation } from '../devnet/history.js'
import { faultWindows, samplesByNode } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * Once L1 settled, every safe block's L1 origin is canonical: checked on each node's last sample and on
 * every sample taken `settleMs` after the last fault ended, against `history.l1Canonical`.
 */
export const safeOriginCanonical: Invariant = {
  id: 'safeOriginCanonical',
  description: "every safe head's L1 origin is canonical once L1 settled",
  check(history, options) {
    const { settleMs, graceMs } = withDefaults(options)
    const settled = Math.max(0, ...faultWindows(history, graceMs).map((w) => w.end)) + settleMs
    const out: Violation[] = []
    for (const [node, samples] of samplesByNode(history)) {
      const checked = samples.filter((s, i) => s.t >= settled || i === samples.length - 1)
      const bad = checked.filter((s) => {
        const canonical = history.l1Canonical[s.safe.l1origin.number]
        return canonical !== undefined && canonical !== s.safe.l1origin.hash
      })
      if (!bad.length) continue
      const first = bad[0]
      const { number, hash } = first.safe.l1origin
      const more = bad.length > 1 ? ` (and ${bad.length - 1} later samples)` : ''
      out.push({
        invariant: this.id,
        t: first.t,
        node,
        message: `${node}: safe block ${first.safe.number} has L1 origin ${number} ${hash}, but the canonical L1 block ${number} is ${history.l1Canonical[number]}${more}`,
        evidence: [...new Set<unknown>([first, bad.at(-1)]), { l1Canonical: { [number]: history.l1Canonical[number] } }],
      })
    }
    return out.sort((a, b) => a.t - b.t)
  },
}
