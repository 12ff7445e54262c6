import type { NodeSample, Violation } from '../devnet/history.js'
import { samplesByNode } from './faultWindows.js'
import type { Invariant } from './types.js'

const ordered = (s: NodeSample) => s.finalized.number <= s.safe.number && s.safe.number <= s.unsafe.number

/** finalized <= safe <= unsafe in every sample; one violation per run of consecutive bad samples of a node. */
export const headOrdering: Invariant = {
  id: 'headOrdering',
  description: 'finalized <= safe <= unsafe on every node at every sample',
  check(history) {
    const out: Violation[] = []
    for (const [node, samples] of samplesByNode(history)) {
      let run: NodeSample[] = []
      const flush = () => {
        if (!run.length) return
        const [first, last] = [run[0], run.at(-1)!]
        const heads = `finalized ${first.finalized.number}, safe ${first.safe.number}, unsafe ${first.unsafe.number}`
        const span = run.length === 1 ? `at t=${first.t}ms` : `in ${run.length} samples from t=${first.t}ms to t=${last.t}ms`
        out.push({
          invariant: this.id,
          t: first.t,
          node,
          message: `${node}: heads out of order (${heads}) ${span}`,
          evidence: run.length === 1 ? [first] : [first, last],
        })
        run = []
      }
      for (const sample of samples) {
        if (ordered(sample)) flush()
        else run.push(sample)
      }
      flush()
    }
    return out.sort((a, b) => a.t - b.t)
  },
}
