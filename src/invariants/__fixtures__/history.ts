/** Builders for small hand-made histories in tests. */
import type { Hex } from 'viem'
import type { History, L1Sample, NodeSample } from '../../devnet/history.js'
import type { L1BlockRef, L2BlockRef } from '../../protocol/types.js'

/** A recognisable fake hash: `fork` in the first byte, `number` in the rest. */
export const hash = (number: number, fork = 0): Hex =>
  `0x${fork.toString(16).padStart(2, '0')}${number.toString(16).padStart(62, '0')}`

export const l1Ref = (number: number, fork = 0): L1BlockRef => ({
  hash: hash(number, fork),
  number,
  parentHash: hash(Math.max(0, number - 1), fork),
  timestamp: 1000 + number * 2,
})

/** An L2 block whose L1 origin is block `number / 2` (L1 blocks every 2 s, L2 every 1 s). */
export const l2Ref = (number: number, fork = 0, originFork = 0): L2BlockRef => ({
  hash: hash(number, fork),
  number,
  parentHash: hash(Math.max(0, number - 1), fork),
  timestamp: 1000 + number,
  l1origin: { number: Math.floor(number / 2), hash: hash(Math.floor(number / 2), originFork) },
  sequenceNumber: number % 2,
})

export interface Heads {
  unsafe: number
  safe: number
  finalized: number
}

export function sample(
  t: number,
  node: string,
  heads: Heads,
  options: { fork?: number; originFork?: number; sequencerActive?: boolean } = {},
): NodeSample {
  const { fork = 0, originFork = 0 } = options
  const l1 = l1Ref(Math.floor(heads.unsafe / 2))
  return {
    t,
    node,
    unsafe: l2Ref(heads.unsafe, fork, originFork),
    safe: l2Ref(heads.safe, fork, originFork),
    finalized: l2Ref(heads.finalized, fork, originFork),
    currentL1: l1,
    headL1: l1,
    finalizedL1: l1Ref(Math.max(0, l1.number - 4)),
    sequencerActive: options.sequencerActive ?? node === 'sequencer',
  }
}

export const l1Sample = (t: number, head: number, fork = 0): L1Sample => ({
  t,
  head: l1Ref(head, fork),
  safe: l1Ref(Math.max(0, head - 2), fork),
  finalized: l1Ref(Math.max(0, head - 4)),
})

/**
 * A healthy run: every `stepMs` from 0 to `untilMs`, each node's unsafe rises by one, safe trails by 4
 * and finalized by 8; L1 is sampled alongside.
 */
export function healthyHistory(options: { nodes?: string[]; untilMs?: number; stepMs?: number } = {}): History {
  const { nodes = ['sequencer', 'replica-0'], untilMs = 20_000, stepMs = 1000 } = options
  const samples: NodeSample[] = []
  const l1: L1Sample[] = []
  for (let t = 0, n = 10; t <= untilMs; t += stepMs, n++) {
    for (const node of nodes) samples.push(sample(t, node, { unsafe: n, safe: n - 4, finalized: n - 8 }))
    l1.push(l1Sample(t, Math.floor(n / 2)))
  }
  return {
    scenario: 'test',
    runtime: 'process',
    startedAt: 1_700_000_000_000,
    nodes,
    samples,
    l1,
    agreement: [],
    outputs: [],
    events: [],
    proxyd: [],
    clients: [],
    l1Canonical: {},
  }
}

/**
 * `history` as if the whole host stopped from `from` to `to` (ms): the samples between are gone (and the
 * conductors'), and the first ones after still show each node's unsafe head of `from`, as a sequencer
 * that has yet to catch up with the clock.
 */
export function hostPaused(history: History, from: number, to: number): History {
  const kept = <T extends { t: number }>(list: T[]) => list.filter((s) => s.t <= from || s.t >= to)
  history.samples = kept(history.samples)
  if (history.conductors) history.conductors = kept(history.conductors)
  for (const s of history.samples) if (s.t === to) s.unsafe = structuredClone(history.samples.find((x) => x.t === from && x.node === s.node)!.unsafe)
  return history
}
