/**
 * The batch queue (pre-Holocene): batches read from channels wait here until one is valid for the
 * block after the safe head. Singular batches are checked with `checkSingularBatch`; a span batch is
 * checked as a whole with `checkSpanBatch` and, once accepted, expands into singular batches that
 * are handed out one per safe block (op-node's `nextSpan`), without being checked again.
 */
import type { DecodedBatch, RawSpanBatch, SingularBatch } from '../../protocol/batchTypes.js'
import { checkSingularBatch } from '../../protocol/batchValidity.js'
import { spanBatchElements, spanBatchToSingularBatches } from '../../protocol/spanBatch.js'
import { checkSpanBatch, type SafeChainBlock } from '../../protocol/spanBatchValidity.js'
import type { L1BlockRef, L2BlockRef, RollupConfig } from '../../protocol/types.js'
import type { Logger } from '../shared/log.js'

/** A batch and the L1 block whose data completed it. */
export interface QueuedBatch {
  batch: DecodedBatch
  inclusion: L1BlockRef
  /** First and last block timestamps. */
  start: bigint
  end: bigint
}

/** What the batch queue needs from derivation for one decision. */
export interface BatchQueueContext {
  safe: L2BlockRef
  /** L1 blocks from the safe head's origin up to `last` (fewer if derivation has not read them); null if a reset is due. */
  l1Blocks(last: number): Promise<L1BlockRef[] | null>
  /** A block of the safe chain, for span batches that overlap it. */
  l2Block(number: number): Promise<SafeChainBlock | null>
}

/** The next safe block's batch, or why there is none yet. */
export type NextBatch = { batch: SingularBatch; inclusion: L1BlockRef } | { wait: 'undecided' | 'empty' | 'reset' }

export class BatchQueue {
  private queue: QueuedBatch[] = []
  /** Remaining blocks of the last accepted span batch. */
  private pending: { batch: SingularBatch; inclusion: L1BlockRef }[] = []

  constructor(
    private readonly cfg: RollupConfig,
    private readonly log: Logger,
  ) {}

  reset(): void {
    this.queue = []
    this.pending = []
  }

  /** Adds a batch read from a channel completed in `inclusion`. */
  push(batch: DecodedBatch, inclusion: L1BlockRef): void {
    if (batch.type === 0) {
      this.queue.push({ batch, inclusion, start: batch.batch.timestamp, end: batch.batch.timestamp })
      return
    }
    const blocks = spanBatchElements(batch.span, { l2GenesisTime: this.cfg.genesis.l2_time, blockTime: this.cfg.block_time })
    this.queue.push({ batch, inclusion, start: blocks[0].timestamp, end: blocks[blocks.length - 1].timestamp })
  }

  /** Picks the batch for the block after `ctx.safe`, dropping invalid batches on the way. */
  async next(ctx: BatchQueueContext): Promise<NextBatch> {
    const { cfg, log } = this
    const safe = ctx.safe
    const nextTs = BigInt(safe.timestamp + cfg.block_time)
    if (this.pending.length && this.pending[0].batch.timestamp !== nextTs) {
      log.warn('dropping the rest of a span batch: the safe head moved', { expected: this.pending[0].batch.timestamp, next: nextTs })
      this.pending = []
    }
    const base = await ctx.l1Blocks(safe.l1origin.number + 1)
    if (!base) return { wait: 'reset' }
    const taken = this.pending.shift()
    if (taken) return { ...taken, batch: { ...taken.batch, parentHash: safe.hash } }
    const keep: QueuedBatch[] = []
    let chosen: NextBatch | undefined
    let undecided = false
    for (const q of this.queue) {
      // Batches for later blocks are "future": keep them without checking now.
      if (chosen || q.start > nextTs) {
        keep.push(q)
        continue
      }
      const b = q.batch
      let l1Blocks = base
      if (b.type === 1) {
        const more = await ctx.l1Blocks(Math.max(safe.l1origin.number + 1, Number(b.span.l1OriginNum) + 1))
        if (!more) return { wait: 'reset' }
        l1Blocks = more
      }
      const v =
        b.type === 0
          ? checkSingularBatch({ cfg, l1Blocks, safeHead: safe, batch: b.batch, inclusionBlock: q.inclusion })
          : await checkSpanBatch({ cfg, l1Blocks, safeHead: safe, span: b.span, inclusionBlock: q.inclusion, l2Block: ctx.l2Block })
      if (v.result === 'accept') {
        chosen = b.type === 0 ? { batch: b.batch, inclusion: q.inclusion } : this.expand(q, b.span, safe, l1Blocks)
      } else if (v.result === 'future') keep.push(q)
      else if (v.result === 'undecided') {
        undecided = true
        keep.push(q)
      } else if (q.end > BigInt(safe.timestamp)) log.warn('dropping batch', { type: b.type, timestamp: q.start, reason: v.reason })
    }
    this.queue = keep
    return chosen ?? { wait: undecided ? 'undecided' : 'empty' }
  }

  /** Turns an accepted span into its blocks after the safe head: returns the first, keeps the rest pending. */
  private expand(q: QueuedBatch, span: RawSpanBatch, safe: L2BlockRef, l1Blocks: L1BlockRef[]): NextBatch {
    const hashes = new Map(l1Blocks.map((b) => [b.number, b.hash]))
    const timing = { l2GenesisTime: this.cfg.genesis.l2_time, blockTime: this.cfg.block_time }
    // checkSpanBatch found every new block's origin among l1Blocks.
    const [first, ...rest] = spanBatchToSingularBatches(span, timing, (n) => hashes.get(n), safe)
    this.log.info('accepted span batch', { blocks: span.blockCount, new: rest.length + 1, from: safe.number + 1 })
    this.pending = rest.map((batch) => ({ batch, inclusion: q.inclusion }))
    return { batch: { ...first, parentHash: safe.hash }, inclusion: q.inclusion }
  }
}
