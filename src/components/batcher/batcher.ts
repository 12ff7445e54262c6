/**
 * The lite batcher: reads the sequencer's unsafe blocks from the safe head + 1, packs them into zlib
 * channels (one singular batch per block, or with `batchType` 1 one span batch for the whole
 * channel), closes a channel after `maxChannelDuration` L1 blocks (or when it is full), splits it
 * into frames and posts one frame per calldata tx to the batch inbox.
 * It starts over from the safe head when the safe head moves back, the L2 chain reorgs, an L1
 * reorg drops one of its txs, or the node derived past the L1 block that completed a channel without
 * its safe head reaching the channel's blocks (op-batcher's "sequencer did not make expected progress").
 */
import { formatTransaction, keccak256, serializeTransaction, type Hex, type TransactionSerializable } from 'viem'
import { lazyAccount } from '../shared/account.js'
import { encodeSingularBatch, type SingularBatch } from '../../protocol/batch.js'
import { encodeSpanBatch, singularBatchesToSpan, type SpanBatchTiming } from '../../protocol/spanBatch.js'
import { encodeChannel, randomChannelId, splitChannelIntoFrames } from '../../protocol/channel.js'
import { encodeBatcherTxData } from '../../protocol/frame.js'
import { decodeL1Info } from '../../protocol/l1Info.js'
import type { RollupConfig, SyncStatus } from '../../protocol/types.js'
import type { BatcherConfig } from './config.js'
import { activeRollup, type ActiveRollup } from '../shared/activeRollup.js'
import { rpcClient, type RpcClient } from '../shared/jsonrpc.js'
import type { Logger } from '../shared/log.js'

interface RpcTx {
  hash: Hex
  type: Hex
  input: Hex
  [k: string]: unknown
}

interface Channel {
  blocks: SingularBatch[]
  /** Sequence number (within its epoch) of the first block. */
  firstSeq: number
  /** Size of the blocks as singular batches (an upper bound for a span batch). */
  size: number
  openedAtL1: number
  firstL2: number
  lastL2: number
}

interface SentTx {
  hash: Hex
  lastL2: number
  l1?: { number: number; hash: Hex }
}

/** Raw EIP-2718 bytes of a JSON-RPC transaction, checked against its hash (falls back to the node's encoding). */
export async function rawTransaction(tx: RpcTx, l2: RpcClient): Promise<Hex> {
  const f = formatTransaction(tx as never) as Record<string, any>
  const common = { chainId: f.chainId, nonce: f.nonce, gas: f.gas, to: f.to ?? undefined, value: f.value, data: f.input }
  let unsigned: TransactionSerializable | undefined
  if (f.type === 'legacy') unsigned = { ...common, type: 'legacy', gasPrice: f.gasPrice }
  else if (f.type === 'eip2930') unsigned = { ...common, type: 'eip2930', gasPrice: f.gasPrice, accessList: f.accessList }
  else if (f.type === 'eip1559') {
    unsigned = { ...common, type: 'eip1559', maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas, accessList: f.accessList }
  }
  if (unsigned) {
    try {
      const signature = f.type === 'legacy' ? { r: f.r, s: f.s, v: f.v } : { r: f.r, s: f.s, yParity: f.yParity }
      const raw = serializeTransaction(unsigned, signature)
      if (keccak256(raw) === tx.hash) return raw
    } catch {
      // fall through to the node's own encoding
    }
  }
  return l2.call<Hex>('debug_getRawTransaction', [tx.hash])
}

export class Batcher {
  active: boolean
  private readonly account
  private readonly l1: RpcClient
  private readonly l2s: RpcClient[]
  private readonly rollups: RpcClient[]
  /** Which of `rollups` (and the `l2s` at the same position) sequences now. */
  private readonly sequencers: ActiveRollup
  private l2: RpcClient
  private rollup: RpcClient
  private cursor: { number: number; hash: Hex } | undefined
  private channel: Channel | undefined
  private sent: SentTx[] = []
  private lastSafe: number | undefined
  /** L2 genesis time and block time, read once from `optimism_rollupConfig` (as op-batcher does). */
  private timing: SpanBatchTiming | undefined
  /** Count of frames posted, for tests and logs. */
  framesPosted = 0
  /** L1 head as last seen, when it was first seen (wall clock), and the measured L1 block interval. */
  private l1Seen = { number: -1, at: 0, intervalMs: 0 }
  /**
   * A planted defect for tests only (test/full/chaos.shrink.test.ts sets the variable; nothing else does): after
   * starting over because of an L1 reorg, the next channel is dropped instead of posted, and the batcher
   * does not notice (no start over when the node derives past its later channels).
   */
  private readonly skipChannelAfterReorg = process.env.DEVNET_TEST_DEFECT === 'batcher-skips-channel-after-reorg'
  private skipNext = false

  constructor(
    private readonly conf: BatcherConfig,
    private readonly log: Logger,
    /** Aborted when the batcher stops: ends its calls in flight. */
    signal?: AbortSignal,
  ) {
    this.active = !conf.stopped
    this.account = lazyAccount(conf.privateKey)
    this.l1 = rpcClient(conf.l1Rpc, undefined, { signal })
    this.l2s = conf.l2Rpc.split(',').map((u) => rpcClient(u.trim(), 5_000, { signal }))
    const rollupUrls = conf.rollupRpc.split(',').map((u) => u.trim())
    this.rollups = rollupUrls.map((u) => rpcClient(u, 5_000, { signal }))
    this.sequencers = activeRollup(rollupUrls, { checkMs: 0, timeoutMs: 1_000, log, signal })
    if (this.l2s.length !== this.rollups.length) throw new Error('l2Rpc and rollupRpc must list the same number of endpoints')
    this.l2 = this.l2s[0]
    this.rollup = this.rollups[0]
  }

  /**
   * Multi-sequencer mode: follows the rollup node whose sequencer is active (`shared/activeRollup.ts`,
   * asked every round), starting over on a switch; with none active it keeps the current one. Each probe
   * times out after a second: a crashed container's name may take seconds to fail to resolve.
   */
  private async selectSequencer(): Promise<void> {
    const i = await this.sequencers.index().catch(() => undefined)
    if (i === undefined || this.rollups[i] === this.rollup) return
    this.rollup = this.rollups[i]
    this.l2 = this.l2s[i]
    this.reset(`following the active sequencer at ${this.rollup.url}`)
    this.lastSafe = undefined // another node's safe head
  }

  private reset(reason: string, l1Reorg = false): void {
    this.log.warn('batcher starts over from the safe head', { reason })
    if (l1Reorg && this.skipChannelAfterReorg) this.skipNext = true
    this.cursor = undefined
    this.channel = undefined
    this.sent = []
  }

  /** One polling round. */
  async tick(): Promise<void> {
    await this.selectSequencer()
    const status = await this.rollup.call<SyncStatus>('optimism_syncStatus')
    const safe = status.safe_l2
    const unsafe = status.unsafe_l2
    const l1Head = Number(await this.l1.call<Hex>('eth_blockNumber'))
    this.observeL1(l1Head)
    if (this.lastSafe !== undefined && safe.number < this.lastSafe) this.reset(`safe head moved back from ${this.lastSafe} to ${safe.number}`, true)
    this.lastSafe = safe.number
    // An L1 reorg dropped a tx of ours: start over next round, from a fresh safe head. The one read above may
    // predate the node's own reset, and starting there skipped the blocks between (CI's chaos run: blocks
    // 40-42 never posted again, the sequencing window expired). `lastSafe` stays, so the node's reset shows
    // as the safe head moving back and the batcher starts over from there.
    if (await this.checkSent(safe.number, status.current_l1.number)) return
    if (!this.active) return
    if (!this.cursor || this.cursor.number < safe.number) {
      this.cursor = { number: safe.number, hash: safe.hash }
      this.channel = undefined
    }
    for (let n = this.cursor.number + 1; n <= unsafe.number && n <= this.cursor.number + 500; ) {
      const block = await this.l2.call<{ hash: Hex; parentHash: Hex; timestamp: Hex; transactions: RpcTx[] } | null>('eth_getBlockByNumber', [`0x${n.toString(16)}`, true])
      if (!block) break
      if (block.parentHash !== this.cursor.hash) {
        this.reset(`L2 reorg at block ${n}`)
        return
      }
      await this.add(n, block, l1Head)
      this.cursor = { number: n, hash: block.hash }
      n++
      // Due or full: posted now, not after the rest of a long backlog is read (on a loaded machine reading
      // 80 blocks took 29 s, and the channel's epochs passed their sequencing window meanwhile).
      if (this.channel && (this.channel.size >= this.conf.maxFrameSize * 8 || this.channelDue(this.channel, l1Head))) await this.submit()
    }
    if (this.channel && this.channelDue(this.channel, l1Head)) await this.submit()
  }

  private observeL1(head: number): void {
    const now = Date.now()
    const seen = this.l1Seen
    if (head > seen.number) {
      if (seen.number >= 0 && head - seen.number <= 2) seen.intervalMs = (now - seen.at) / (head - seen.number)
      seen.number = head
      seen.at = now
    }
  }

  /**
   * A channel may span at most `maxChannelDuration` L1 blocks from opening to inclusion: it is posted
   * once the L1 head reached its deadline, or just before the deadline block is expected (measured
   * L1 block interval minus a margin), so its frames land in that block rather than the next one.
   */
  private channelDue(ch: Channel, l1Head: number): boolean {
    const deadline = ch.openedAtL1 + this.conf.maxChannelDuration
    if (l1Head >= deadline) return true
    const { at, intervalMs } = this.l1Seen
    if (intervalMs === 0) return false
    const expected = at + (deadline - l1Head) * intervalMs
    return Date.now() >= expected - (2 * this.conf.pollMs + 300)
  }

  private async add(n: number, block: { parentHash: Hex; timestamp: Hex; transactions: RpcTx[] }, l1Head: number): Promise<void> {
    const [first, ...rest] = block.transactions
    if (!first || Number(first.type) !== 0x7e) throw new Error(`L2 block ${n} has no L1-info deposit`)
    const info = decodeL1Info(first.input)
    const txs: Hex[] = []
    for (const tx of rest) if (Number(tx.type) !== 0x7e) txs.push(await rawTransaction(tx, this.l2))
    const batch: SingularBatch = { parentHash: block.parentHash, epochNumber: info.number, epochHash: info.blockHash, timestamp: BigInt(block.timestamp), transactions: txs }
    this.channel ??= { blocks: [], firstSeq: Number(info.sequenceNumber), size: 0, openedAtL1: l1Head, firstL2: n, lastL2: n }
    this.channel.blocks.push(batch)
    this.channel.size += encodeSingularBatch(batch).length
    this.channel.lastL2 = n
  }

  /** The channel's batches: one singular batch per block, or one span batch for all of them. */
  private async batches(ch: Channel): Promise<Uint8Array[]> {
    if (this.conf.batchType === 0) return ch.blocks.map(encodeSingularBatch)
    if (!this.timing) {
      const cfg = await this.rollup.call<RollupConfig>('optimism_rollupConfig')
      this.timing = { l2GenesisTime: cfg.genesis.l2_time, blockTime: cfg.block_time }
    }
    return [encodeSpanBatch(singularBatchesToSpan(ch.blocks, ch.firstSeq, this.timing), BigInt(this.conf.l2ChainId))]
  }

  /** Closes the open channel and posts its frames, one per tx, with consecutive nonces. */
  private async submit(): Promise<void> {
    const ch = this.channel
    if (!ch) return
    // Encoded before the channel is let go: a failure here (rollup config unreadable) retries next round.
    const data = encodeChannel(await this.batches(ch))
    this.channel = undefined
    if (this.skipNext) {
      this.skipNext = false
      this.log.warn('planted defect: channel dropped', { l2: `${ch.firstL2}-${ch.lastL2}` })
      return
    }
    const frames = splitChannelIntoFrames(randomChannelId(), data, this.conf.maxFrameSize)
    const nonce = Number(await this.l1.call<Hex>('eth_getTransactionCount', [this.account.address, 'pending']))
    const latest = await this.l1.call<{ baseFeePerGas: Hex }>('eth_getBlockByNumber', ['latest', false])
    const maxPriorityFeePerGas = 1_000_000_000n
    const maxFeePerGas = BigInt(latest.baseFeePerGas) * 2n + maxPriorityFeePerGas
    for (let i = 0; i < frames.length; i++) {
      const data = encodeBatcherTxData([frames[i]])
      const gas = BigInt(await this.l1.call<Hex>('eth_estimateGas', [{ from: this.account.address, to: this.conf.batchInbox, data }]))
      const signed = await this.account.signTransaction({
        type: 'eip1559',
        chainId: this.conf.l1ChainId,
        nonce: nonce + i,
        to: this.conf.batchInbox,
        data,
        gas,
        maxFeePerGas,
        maxPriorityFeePerGas,
      })
      const hash = await this.l1.call<Hex>('eth_sendRawTransaction', [signed])
      this.sent.push({ hash, lastL2: ch.lastL2 })
      this.framesPosted++
    }
    this.log.info('posted channel', { l2: `${ch.firstL2}-${ch.lastL2}`, frames: frames.length, bytes: ch.size, batchType: this.conf.batchType })
  }

  /**
   * Follows the batcher's txs until their blocks are safe; starting over (true) when an L1 reorg dropped
   * one, or when the node derived past the L1 block that completed a channel and its safe head did not
   * reach the channel's last block: its batches were ignored (another batcher address in SystemConfig
   * meanwhile, a batch derivation dropped), and op-batcher then starts afresh from the safe head too
   * ("sequencer did not make expected progress"), so the blocks are posted again within the sequencing
   * window instead of the window expiring into deposit-only blocks.
   */
  private async checkSent(safeNumber: number, derivedL1: number): Promise<boolean> {
    this.sent = this.sent.filter((s) => s.lastL2 > safeNumber)
    for (const s of this.sent) {
      if (!s.l1) {
        const receipt = await this.l1.call<{ blockNumber: Hex; blockHash: Hex; status: Hex } | null>('eth_getTransactionReceipt', [s.hash])
        if (receipt) {
          s.l1 = { number: Number(receipt.blockNumber), hash: receipt.blockHash }
          if (receipt.status !== '0x1') this.log.warn('batcher tx reverted', { tx: s.hash })
          continue
        }
        const known = await this.l1.call('eth_getTransactionByHash', [s.hash])
        if (!known) {
          this.reset(`batcher tx ${s.hash} was dropped from L1`, true)
          return true
        }
        continue
      }
      const block = await this.l1.call<{ hash: Hex } | null>('eth_getBlockByNumber', [`0x${s.l1.number.toString(16)}`, false])
      if (block?.hash !== s.l1.hash) {
        this.reset(`L1 reorg dropped batcher tx ${s.hash} (was in block ${s.l1.number})`, true)
        return true
      }
    }
    // The planted defect stands for a batcher that loses a channel and never notices: this rule would
    // notice (the safe head stops below the lost channel) and post it again.
    if (this.skipChannelAfterReorg) return false
    // A channel's frames share its last L2 block (a start over forgets the txs sent before it).
    const inclusion = new Map<number, number | undefined>() // last L2 block -> highest L1 block of its frames, undefined while one is pending
    for (const s of this.sent) {
      const known = inclusion.has(s.lastL2) ? inclusion.get(s.lastL2) : -1
      inclusion.set(s.lastL2, known === undefined || !s.l1 ? undefined : Math.max(known, s.l1.number))
    }
    for (const [lastL2, maxInclusion] of inclusion) {
      if (maxInclusion !== undefined && derivedL1 > maxInclusion && safeNumber < lastL2) {
        this.reset(`sequencer did not make expected progress: derived L1 up to ${derivedL1}, past the channel of blocks up to ${lastL2} (included by L1 block ${maxInclusion}), and the safe head is ${safeNumber}`)
        return true
      }
    }
    return false
  }
}
