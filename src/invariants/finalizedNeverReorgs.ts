import type { History, NodeSample, Violation } from '../devnet/history.js'
import type { Invariant } from './types.js'

/**
 * The cold starts of each node: `restart` / `start` faults with `fresh` (its persisted state wiped, so it
 * starts over from genesis), from their `fault-start` to their `fault-end` (ms).
 */
function coldStarts(history: History): Array<{ node: string; from: number; to: number }> {
  const out: Array<{ node: string; from: number; to: number }> = []
  history.events.forEach((e, i) => {
    if (e.kind !== 'fault-start' || (e.name !== 'restart' && e.name !== 'start') || e.details?.fresh !== true) return
    const end = history.events.slice(i + 1).find((x) => x.kind === 'fault-end' && x.name === e.name && x.targets?.some((t) => e.targets?.includes(t)))
    for (const node of e.targets ?? []) out.push({ node, from: e.t, to: end?.t ?? Infinity })
  })
  return out
}

/**
 * Per node, the finalized number never decreases, except across a cold start (a node whose state was
 * wiped starts over from genesis: not a reorg); a number once finalized keeps its hash, within a node and
 * across nodes.
 */
export const finalizedNeverReorgs: Invariant = {
  id: 'finalizedNeverReorgs',
  description: 'finalized heads never move back, and a finalized number keeps its hash on every node',
  check(history) {
    const out: Violation[] = []
    const last = new Map<string, NodeSample>()
    const firstAt = new Map<number, NodeSample>()
    const reported = new Set<string>()
    const cold = coldStarts(history)
    for (const sample of history.samples.toSorted((a, b) => a.t - b.t)) {
      const { node, finalized, t } = sample
      const restarted = (p: NodeSample) => cold.some((c) => c.node === node && c.from <= t && c.to > p.t)
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
