/**
 * The recorder's part for conductor clusters (`l2.conductor`): each round, every conductor's view
 * (`ConductorSample`), the head it holds as committed, and the blocks each conductor-managed node sealed
 * while its sequencer was active (`BlockClaim`s, for `singleSequencer`).
 */
import type { Hex } from 'viem'
import type { BlockClaim, ConductorSample, History } from '../devnet/history.js'
import { call } from '../faults/context.js'
import { conductorService } from '../plan/conductor.js'
import { conductorNodes } from '../topology/conductor.js'
import type { Topology } from '../topology/types.js'

const TIMEOUT_MS = 2_000
/** Blocks read per node and round at most (the rest next round). */
const MAX_BLOCKS_PER_ROUND = 32

export class ConductorSampler {
  private readonly nodes: string[]
  /** Per node: the highest block number claimed as sequenced while it is active. */
  private readonly claimedTo = new Map<string, number>()
  private readonly seen = new Set<string>()

  constructor(
    topology: Topology,
    private readonly endpoints: Record<string, Record<string, string>>,
    private readonly history: History,
  ) {
    this.nodes = conductorNodes(topology)
    if (this.nodes.length) {
      history.conductors = []
      history.claims = []
    }
  }

  /** One round at time `t`; `nodes` are this round's node samples (active flag and unsafe head). */
  async sample(t: number, nodes: Array<{ node: string; active: boolean; unsafe: number }>): Promise<void> {
    if (!this.nodes.length) return
    await Promise.all([...this.nodes.map((n) => this.sampleConductor(t, n)), ...nodes.filter((n) => this.nodes.includes(n.node)).map((n) => this.sequenced(t, n))])
  }

  private claim(c: BlockClaim): void {
    const key = `${c.via}:${c.by}:${c.number}:${c.hash}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.history.claims!.push(c)
  }

  private async sampleConductor(t: number, node: string): Promise<void> {
    const url = this.endpoints[conductorService(node)]?.rpc
    if (!url) return
    try {
      const [leader, active, healthy, overridden, head] = await Promise.all([
        call<boolean>(url, 'conductor_leader', [], TIMEOUT_MS),
        call<boolean>(url, 'conductor_active', [], TIMEOUT_MS),
        call<boolean>(url, 'conductor_sequencerHealthy', [], TIMEOUT_MS),
        call<boolean>(url, 'conductor_leaderOverridden', [], TIMEOUT_MS),
        call<{ executionPayload: { blockNumber: Hex; blockHash: Hex } } | null>(url, 'conductor_latestUnsafePayload', [], TIMEOUT_MS).catch(() => null),
      ])
      const sample: ConductorSample = { t, node, leader, active, healthy, overridden }
      this.history.conductors!.push(sample)
      if (head) this.claim({ t, number: Number(head.executionPayload.blockNumber), hash: head.executionPayload.blockHash, by: node, via: 'committed' })
    } catch {
      // conductor down, paused or cut off: no sample this round
    }
  }

  /** Claims the blocks an active node added since the last round (from the head it had when it became active). */
  private async sequenced(t: number, { node, active, unsafe }: { node: string; active: boolean; unsafe: number }): Promise<void> {
    if (!active) {
      this.claimedTo.delete(node)
      return
    }
    const from = this.claimedTo.get(node)
    if (from === undefined) {
      this.claimedTo.set(node, unsafe)
      return
    }
    const el = this.endpoints[node]!.el!
    let to = from
    for (let n = from + 1; n <= Math.min(unsafe, from + MAX_BLOCKS_PER_ROUND); n++) {
      const b = await call<{ hash: Hex } | null>(el, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false], TIMEOUT_MS).catch(() => null)
      if (!b) break
      this.claim({ t, number: n, hash: b.hash, by: node, via: 'sequenced' })
      to = n
    }
    this.claimedTo.set(node, to)
  }
}
