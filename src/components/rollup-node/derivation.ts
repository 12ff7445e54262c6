/**
 * The derivation pipeline (pre-Holocene rules): L1 traversal -> batcher txs -> frames -> channel bank
 * -> channels -> batches -> batch queue -> attributes -> consolidation with the unsafe chain.
 *
 * One `step()` makes at most one unit of progress (one safe block, or one L1 block traversed) so
 * the driver can interleave sequencing and gossip. A parent-hash mismatch on L1 asks the node to
 * reset; `resetTo()` restarts traversal a channel timeout before the new safe head's L1 data.
 */
import type { Hex } from 'viem'
import { decodeBatch } from '../../protocol/batch.js'
import { ChannelBank, decodeChannel } from '../../protocol/channel.js'
import { parseBatcherTxData } from '../../protocol/frame.js'
import { channelTimeout, maxRlpBytesPerChannel } from '../../protocol/rollupConfig.js'
import type { SafeChainBlock } from '../../protocol/spanBatchValidity.js'
import type { BlockID, L1BlockRef, L2BlockRef, RollupConfig } from '../../protocol/types.js'
import { buildAttributes } from './attributes.js'
import { BatchQueue } from './batchQueue.js'
import { l2RefFromBlock, type RpcBlock } from './engine.js'
import type { L1Block, L1Source } from './l1.js'
import { systemConfigAt } from './systemConfig.js'
import type { Logger } from '../shared/log.js'

/** A safe block and the L1 block whose data completed it (for finality and resets). */
export interface SafeRecord {
  l2: L2BlockRef
  derivedFrom: L1BlockRef
}

export interface DerivationHost {
  readonly cfg: RollupConfig
  readonly l1: L1Source
  readonly log: Logger
  readonly verifierL1Confs: number
  safeHead(): L2BlockRef
  /** A block of the safe chain (see {@link safeChainBlock}), for span batches that overlap it. */
  l2Block(number: number): Promise<SafeChainBlock | null>
  /** Apply derived attributes on top of the safe head: consolidate or replace the unsafe chain. */
  applyDerived(attrs: Awaited<ReturnType<typeof buildAttributes>>, derivedFrom: L1BlockRef): Promise<L2BlockRef>
  requestReset(reason: string): void
}

export class Derivation {
  /** The last L1 block fully traversed (`current_l1`). */
  cursor: L1BlockRef
  private readonly bank: ChannelBank
  private readonly queue: BatchQueue
  readonly records: SafeRecord[] = []

  constructor(private readonly host: DerivationHost, start: L1BlockRef) {
    this.cursor = start
    this.bank = new ChannelBank(host.cfg)
    this.queue = new BatchQueue(host.cfg, host.log)
  }

  /** Restarts traversal so that `safe` (derived from `derivedFrom`) is rebuilt from canonical L1. */
  resetTo(startL1: L1BlockRef): void {
    this.cursor = startL1
    this.bank.reset()
    this.queue.reset()
  }

  /** Drops records above the given safe number (after a reset). */
  truncateRecords(safeNumber: number): void {
    while (this.records.length && this.records[this.records.length - 1].l2.number > safeNumber) this.records.pop()
  }

  /** One unit of work. Returns true if it made progress. */
  async step(): Promise<boolean> {
    if (await this.deriveNext()) return true
    return this.traverse()
  }

  /** Reads the next L1 block into the channel bank. */
  private async traverse(): Promise<boolean> {
    const { l1, cfg, log } = this.host
    const n = this.cursor.number + 1
    if (n > l1.head.number - this.host.verifierL1Confs) return false
    const block = await l1.blockByNumber(n)
    if (!block) return false
    if (block.ref.parentHash !== this.cursor.hash) {
      this.host.requestReset(`L1 reorg detected: block ${n} parent ${block.ref.parentHash} != ${this.cursor.hash}`)
      return false
    }
    const batcher = (await systemConfigAt(cfg, l1, block.ref)).batcherAddr.toLowerCase()
    const inbox = cfg.batch_inbox_address.toLowerCase()
    for (const tx of block.transactions) {
      if (tx.to?.toLowerCase() !== inbox) continue
      if (tx.from.toLowerCase() !== batcher) {
        log.warn('ignoring batcher tx from unauthorized sender', { l1: n, tx: tx.hash, from: tx.from })
        continue
      }
      let frames
      try {
        frames = parseBatcherTxData(tx.input)
      } catch (err) {
        log.warn('ignoring invalid batcher tx', { l1: n, tx: tx.hash, err })
        continue
      }
      for (const f of frames) this.bank.addFrame(f, block.ref)
    }
    this.readChannels(block)
    this.cursor = block.ref
    return true
  }

  private readChannels(block: L1Block): void {
    const { cfg, log } = this.host
    for (;;) {
      const ch = this.bank.nextReadyChannel(block.ref)
      if (!ch) return
      let batches: Uint8Array[]
      try {
        batches = decodeChannel(ch.data, maxRlpBytesPerChannel(cfg, block.ref.timestamp), { allowBrotli: true })
      } catch (err) {
        log.warn('dropping undecodable channel', { channel: ch.id, err })
        continue
      }
      for (const bytes of batches) {
        try {
          this.queue.push(decodeBatch(bytes, { l2ChainId: cfg.l2_chain_id }), block.ref)
        } catch (err) {
          log.warn('dropping undecodable batch', { channel: ch.id, err })
        }
      }
    }
  }

  /** L1 blocks from the safe head's origin up to `last`, at most to the cursor; null (and a reset) if that origin changed. */
  private async l1Blocks(safe: L2BlockRef, last: number): Promise<L1BlockRef[] | null> {
    const out: L1BlockRef[] = []
    for (let n = safe.l1origin.number; n <= Math.min(this.cursor.number, last); n++) {
      const b = await this.host.l1.blockByNumber(n)
      if (!b) break
      out.push(b.ref)
    }
    if (out.length === 0 || out[0].hash !== safe.l1origin.hash) {
      this.host.requestReset(`safe head origin ${safe.l1origin.number} is no longer canonical`)
      return null
    }
    return out
  }

  /** Derives the block after the safe head if the queue (or the sequencing window) allows it. */
  private async deriveNext(): Promise<boolean> {
    const { cfg, log } = this.host
    const safe = this.host.safeHead()
    if (safe.l1origin.number > this.cursor.number) return false
    const next = await this.queue.next({ safe, l1Blocks: (last) => this.l1Blocks(safe, last), l2Block: (n) => this.host.l2Block(n) })
    const timestamp = safe.timestamp + cfg.block_time
    if ('batch' in next) {
      const origin = { number: Number(next.batch.epochNumber), hash: next.batch.epochHash }
      return this.apply(safe, origin, timestamp, next.batch.transactions, next.inclusion)
    }
    if (next.wait !== 'empty') return false
    // No batch: once the epoch's sequencing window has passed, derive deposit-only blocks.
    const l1Blocks = await this.l1Blocks(safe, safe.l1origin.number + 1)
    if (!l1Blocks) return false
    const epoch = l1Blocks[0]
    const expiry = epoch.number + cfg.seq_window_size
    if (this.cursor.number < expiry || l1Blocks.length < 2) return false
    const origin = timestamp >= l1Blocks[1].timestamp ? l1Blocks[1] : epoch
    log.info('sequencing window expired: deriving deposit-only block', { number: safe.number + 1, epoch: origin.number })
    return this.apply(safe, origin, timestamp, [], this.cursor)
  }

  private async apply(safe: L2BlockRef, originRef: BlockID, timestamp: number, txs: Hex[], derivedFrom: L1BlockRef): Promise<boolean> {
    const origin = await this.host.l1.blockByNumber(originRef.number)
    if (!origin || origin.ref.hash !== originRef.hash) {
      this.host.requestReset(`L1 origin ${originRef.number} changed while deriving`)
      return false
    }
    const sequenceNumber = originRef.number === safe.l1origin.number ? safe.sequenceNumber + 1 : 0
    const attrs = await buildAttributes({ cfg: this.host.cfg, l1: this.host.l1, log: this.host.log, origin, sequenceNumber, timestamp, txs })
    const ref = await this.host.applyDerived(attrs, derivedFrom)
    this.records.push({ l2: ref, derivedFrom })
    return true
  }

  /** Where traversal restarts for a safe head whose data came from `derivedFrom`. */
  restartPoint(derivedFrom: L1BlockRef): number {
    const back = channelTimeout(this.host.cfg, derivedFrom.timestamp)
    return Math.max(this.host.cfg.genesis.l1.number, derivedFrom.number - back)
  }
}

/** The safe-chain view of an engine block: its ref and the hashes of its sequencer (non-deposit) txs. */
export function safeChainBlock(block: RpcBlock | null, cfg: RollupConfig): SafeChainBlock | null {
  if (!block) return null
  return { ref: l2RefFromBlock(block, cfg), txHashes: block.transactions.filter((tx) => Number(tx.type) !== 0x7e).map((tx) => tx.hash) }
}
