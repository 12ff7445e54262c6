/**
 * Unsafe block gossip: the sequencer publishes every block it builds, signed with the sequencer key
 * on `/optimism/<chainId>/<v>/blocks`; every node checks the signer, then re-executes received
 * blocks on its own engine and keeps them only if the hash matches.
 */
import type { Address, Hex } from 'viem'
import { decodeGossipBlock, encodeGossipBlock, gossipTopic, payloadFromRpcBlock, payloadVersionFor, type ExecutionPayload, type PayloadWithBeaconRoot } from '../../protocol/payload.js'
import type { L2BlockRef, RollupConfig } from '../../protocol/types.js'
import type { Engine, RpcBlock } from './engine.js'
import type { P2PNode } from './p2p.js'
import type { Logger } from '../shared/log.js'
import { now as chainNow } from '../shared/clock.js'

/** What gossip needs from its node (the node implements it; no import of the node). */
export interface GossipHost {
  readonly cfg: RollupConfig
  readonly log: Logger
  readonly engine: Engine
  /** Signs published blocks; only a node that can sequence has it. */
  readonly sequencerKey?: Hex
  /** The unsafe block signer received blocks are checked against. */
  readonly unsafeBlockSigner: Address
  readonly unsafe: L2BlockRef
  readonly safe: L2BlockRef
  readonly unsafeBlock: RpcBlock
  /** Whether this node sequences now (then it inserts no received blocks). */
  sequencing(): boolean
  setUnsafe(block: RpcBlock, ref: L2BlockRef): void
  refOf(block: RpcBlock): L2BlockRef
  wake(): void
}

/** The payload (with its parent beacon block root from Ecotone) of a block this node sealed. */
export function sealedPayload(cfg: RollupConfig, block: RpcBlock, rawTxs: Hex[]): PayloadWithBeaconRoot & { version: 1 | 2 | 3 | 4 } {
  const version = payloadVersionFor(cfg, Number(block.timestamp))
  const { payload, parentBeaconBlockRoot } = payloadFromRpcBlock(block, rawTxs, { version })
  return { payload, version, ...(version >= 3 ? { parentBeaconBlockRoot: parentBeaconBlockRoot ?? (('0x' + '00'.repeat(32)) as Hex) } : {}) }
}

/** Messages older than this (seconds) are ignored, as op-node does by default. */
const MAX_AGE_S = 60
/** Messages further than this (seconds) in the future are ignored. */
const MAX_FUTURE_S = 5
const MAX_PENDING = 2048

export class Gossip {
  p2p?: P2PNode
  /** Received, signature-checked payloads not yet on the chain, by block hash. */
  private readonly pending = new Map<Hex, ExecutionPayload>()
  /** Blocks rejected by re-execution or signature, for tests and status. */
  rejected = 0
  /** Told of the lowest queued payload when it does not attach to the unsafe head (req-resp sync fills the gap). */
  onGap?: (target: ExecutionPayload) => void

  constructor(private readonly node: GossipHost) {}

  /** Every topic version a node may see over its lifetime. */
  topics(): string[] {
    return [1, 2, 3, 4].map((v) => gossipTopic(this.node.cfg.l2_chain_id, v as 1 | 2 | 3 | 4))
  }

  private versionOf(topic: string): 1 | 2 | 3 | 4 | undefined {
    const m = /^\/optimism\/\d+\/(\d)\/blocks$/.exec(topic)
    return m ? ((Number(m[1]) + 1) as 1 | 2 | 3 | 4) : undefined
  }

  /** Signs and publishes a block this node sequenced. */
  async publish(block: RpcBlock, rawTxs: Hex[]): Promise<void> {
    const key = this.node.sequencerKey
    if (!this.p2p || !key) return
    const { payload, parentBeaconBlockRoot, version } = sealedPayload(this.node.cfg, block, rawTxs)
    const data = await encodeGossipBlock({
      payload,
      ...(parentBeaconBlockRoot ? { parentBeaconBlockRoot } : {}),
      version,
      l2ChainId: this.node.cfg.l2_chain_id,
      signerPrivateKey: key,
    })
    await this.p2p.publish(gossipTopic(this.node.cfg.l2_chain_id, version), data)
  }

  /** gossipsub validator: signature and freshness; accepted payloads are queued for execution. */
  async validate(topic: string, data: Uint8Array): Promise<'accept' | 'reject' | 'ignore'> {
    const version = this.versionOf(topic)
    if (!version) return 'reject'
    let decoded
    try {
      decoded = await decodeGossipBlock(data, { version, l2ChainId: this.node.cfg.l2_chain_id, expectedSigner: this.node.unsafeBlockSigner })
    } catch (err) {
      this.rejected++
      this.node.log.warn('rejecting gossip block', { err })
      return 'reject'
    }
    if (payloadVersionFor(this.node.cfg, Number(decoded.payload.timestamp)) !== version) {
      this.rejected++
      return 'reject'
    }
    const now = chainNow() / 1000
    const ts = Number(decoded.payload.timestamp)
    if (ts < now - MAX_AGE_S || ts > now + MAX_FUTURE_S) return 'ignore'
    this.enqueue(decoded.payload)
    return 'accept'
  }

  /** Queues a payload for insertion (gossip or `admin_postUnsafePayload`). */
  enqueue(payload: ExecutionPayload): void {
    if (this.pending.size >= MAX_PENDING) {
      const lowest = [...this.pending.values()].reduce((a, b) => (a.blockNumber < b.blockNumber ? a : b))
      this.pending.delete(lowest.blockHash)
    }
    this.pending.set(payload.blockHash, payload)
    this.node.wake()
  }

  /** Inserts queued payloads that extend (or replace part of) the unsafe chain. */
  async step(): Promise<boolean> {
    if (this.pending.size === 0 || this.node.sequencing()) return false
    const node = this.node
    const ordered = [...this.pending.values()].sort((a, b) => Number(a.blockNumber - b.blockNumber))
    let progress = false
    for (const p of ordered) {
      const n = Number(p.blockNumber)
      if (n <= node.safe.number || (n <= node.unsafe.number && (await node.engine.blockByNumber(n))?.hash === p.blockHash)) {
        this.pending.delete(p.blockHash)
        continue
      }
      if (n > node.unsafe.number + 1) {
        this.onGap?.(p)
        break
      }
      const parent = n === node.unsafe.number + 1 ? node.unsafeBlock : await node.engine.blockByNumber(n - 1)
      if (!parent || parent.hash !== p.parentHash) continue
      this.pending.delete(p.blockHash)
      await this.insert(parent, p)
      progress = true
    }
    return progress
  }

  private async insert(parent: RpcBlock, p: ExecutionPayload): Promise<void> {
    const node = this.node
    const built = await node.engine.build(parent, Number(p.timestamp), p.transactions, undefined, Number(p.gasLimit))
    if (built.ref.hash !== p.blockHash || built.rejected.length > 0) {
      this.rejected++
      node.log.warn('rejecting gossip block: re-execution does not reproduce it', {
        number: Number(p.blockNumber),
        expected: p.blockHash,
        got: built.ref.hash,
        refused: built.rejected.length,
      })
      await node.engine.rewindTo(Number(parent.number))
      node.setUnsafe(parent, node.refOf(parent))
      return
    }
    node.setUnsafe(built.block, built.ref)
  }
}
