/**
 * Sequencer mode: one L2 block every block time on top of the unsafe head. Picks the L1 origin by
 * the spec's rule (adopt the next L1 block once its timestamp is <= the L2 timestamp, within the max
 * sequencer drift), owns the mempool so the block is [L1-info deposit, user deposits, user txs].
 */
import { keccak256, parseTransaction, recoverTransactionAddress, type Address, type Hex, type TransactionSerialized } from 'viem'
import { maxSequencerDrift } from '../../protocol/rollupConfig.js'
import type { L2BlockRef, RollupConfig } from '../../protocol/types.js'
import { buildAttributes } from './attributes.js'
import type { RollupNodeConfig } from './config.js'
import type { DroppedTx, Engine, RpcBlock } from './engine.js'
import type { L1Block, L1Source } from './l1.js'
import { rpcFail } from '../shared/jsonrpc.js'
import type { Logger } from '../shared/log.js'
import { now, untilMs, wallMs } from '../shared/clock.js'

/** What the sequencer needs from its node (the node implements it; no import of the node). */
export interface SequencerHost {
  readonly cfg: RollupConfig
  readonly conf: Pick<RollupNodeConfig, 'sequencer' | 'p2p'>
  readonly l1: L1Source
  readonly log: Logger
  readonly engine: Engine
  readonly unsafe: L2BlockRef
  readonly unsafeBlock: RpcBlock
  /** Whether derivation has read L1 up to its head (a started sequencer waits for it). */
  derivedToL1Head(): boolean
  requestReset(reason: string): void
  setUnsafe(block: RpcBlock, ref: L2BlockRef): void
  /** Gossips a block this node built. */
  publish(block: RpcBlock, rawTxs: Hex[]): Promise<void>
  /** Commits a sealed block to the conductor (no-op without one); throws when it is not committed. */
  commit(block: RpcBlock, rawTxs: Hex[]): Promise<void>
  /** Throws op-node's error when a conductor says this node does not lead. */
  assertLeader(): Promise<void>
}

/** After a refused commit the sequencer tries the next block this much later. */
const COMMIT_BACKOFF_MS = 250

/** A user tx waiting for a block: the same fields as a rewind's dropped tx. */
type PoolTx = DroppedTx

export class Sequencer {
  active: boolean
  private pool: PoolTx[] = []
  /** Txs taken from the pool for the block being built: still pending until the engine holds them. */
  private building: PoolTx[] = []
  /** User txs of blocks a rewind is dropping, from before the engine's rollback until {@link requeue}: still pending. */
  private dropping: PoolTx[] = []
  /** No block before this chain time (ms epoch): set after the conductor refused a commit. */
  private retryAt = 0

  constructor(private readonly node: SequencerHost) {
    this.active = node.conf.sequencer.enabled && !node.conf.sequencer.stopped
  }

  /** Wall milliseconds until the next block is due by the devnet clock (<= 0: due now). */
  dueInMs(): number {
    return untilMs(Math.max((this.node.unsafe.timestamp + this.node.cfg.block_time) * 1000, this.retryAt))
  }

  /** Accepts a raw user tx into the mempool after basic checks; returns its hash. */
  async submit(raw: Hex): Promise<Hex> {
    let tx
    try {
      tx = parseTransaction(raw as TransactionSerialized)
    } catch (err) {
      rpcFail(-32602, `invalid transaction: ${(err as Error).message}`)
    }
    if (raw.startsWith('0x7e')) rpcFail(-32602, 'deposit transactions cannot be sent to the sequencer')
    if (tx.chainId !== undefined && tx.chainId !== this.node.cfg.l2_chain_id) {
      rpcFail(-32602, `invalid chain id ${tx.chainId}, expected ${this.node.cfg.l2_chain_id}`)
    }
    const hash = keccak256(raw)
    // op-geth's pool answers a tx it holds so before any nonce check (a client resending what it sent).
    if (this.held().some((t) => t.hash === hash)) rpcFail(-32000, 'already known')
    const from = await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized })
    const nonce = tx.nonce ?? 0
    const expected = await this.pendingNonce(from)
    if (nonce < expected) rpcFail(-32003, `nonce too low: next nonce ${expected}, tx nonce ${nonce}`)
    if (nonce > expected) rpcFail(-32003, `nonce too high: next nonce ${expected}, tx nonce ${nonce} (the lite sequencer keeps no nonce gaps)`)
    this.pool.push({ raw, hash, from, nonce })
    return hash
  }

  /**
   * Keeps a tx this node forwards to the active sequencer, as op-geth keeps it in its own pool, so a
   * standby that takes over includes what the old sequencer had not. No nonce check (this node's view
   * may lag); the sender's txs this node's chain already holds are dropped.
   */
  async retain(raw: Hex): Promise<void> {
    const hash = keccak256(raw)
    if (this.pool.some((t) => t.hash === hash)) return
    const from = await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized })
    const latest = Number(await this.node.engine.rpc.call<Hex>('eth_getTransactionCount', [from, 'latest']))
    const sender = from.toLowerCase()
    this.pool = this.pool.filter((t) => t.from.toLowerCase() !== sender || t.nonce >= latest)
    const nonce = parseTransaction(raw as TransactionSerialized).nonce ?? 0
    if (nonce >= latest) this.pool.push({ raw, hash, from, nonce })
  }

  /** Counts the user txs of blocks a rewind is about to drop as pending, until {@link requeue} takes them. */
  holdDropped(txs: DroppedTx[]): void {
    this.dropping = txs
  }

  /**
   * Puts back, ahead of newer ones, the user txs of blocks a rewind dropped (as op-geth's pool does on a
   * reorg): those whose nonce the chain has not used since and that are not waiting already.
   */
  async requeue(txs: DroppedTx[]): Promise<void> {
    const back = await this.restore(txs)
    if (back) this.node.log.info('requeued txs of dropped blocks', { count: back })
    this.dropping = []
  }

  /** Puts `txs` back at the head of the pool, but those the chain holds or the pool has; returns how many. */
  private async restore(txs: PoolTx[]): Promise<number> {
    const back: PoolTx[] = []
    const latest = new Map<string, number>()
    for (const tx of txs) {
      if (this.pool.some((t) => t.hash === tx.hash)) continue
      const next = latest.get(tx.from) ?? Number(await this.node.engine.rpc.call<Hex>('eth_getTransactionCount', [tx.from, 'latest']))
      latest.set(tx.from, next)
      if (tx.nonce >= next) back.push(tx)
    }
    this.pool.unshift(...back)
    return back.length
  }

  /** Every user tx this sequencer holds and the chain may not: in the block being built, dropped by a rewind, waiting. */
  private held(): PoolTx[] {
    return [...this.building, ...this.dropping, ...this.pool]
  }

  /** Next nonce of `address` counting txs waiting in the mempool. */
  async pendingNonce(address: Address): Promise<number> {
    // While a block is built, its txs are neither in the pool nor in `latest` yet, nor are a rewind's
    // between the rollback and their requeue: count them too, or the sender's next nonce would briefly
    // go back (a client then signs a nonce the chain has used). Distinct nonces: a tx can be in two lists.
    // The lists are read before and after the engine's answer: a block sealed while the call was on its
    // way leaves the lists, and `latest` may be from before it (seen as "nonce too low: next nonce 1,
    // tx nonce 0" right after a client asked for its nonce).
    const from = address.toLowerCase()
    const mine = () => this.held().filter((t) => t.from.toLowerCase() === from)
    const before = mine()
    const latest = Number(await this.node.engine.rpc.call<Hex>('eth_getTransactionCount', [address, 'latest']))
    const waiting = new Set([...before, ...mine()].filter((t) => t.nonce >= latest).map((t) => t.nonce))
    return latest + waiting.size
  }

  /** Builds the next block if it is due. Returns true if a block was built. */
  async step(): Promise<boolean> {
    if (!this.active || this.dueInMs() > 0) return false
    const node = this.node
    // A (re)started sequencer first derives what L1 already holds, then sequences on top of it.
    if (!node.derivedToL1Head()) return false
    const { cfg, l1, log } = node
    const parent = node.unsafe
    const timestamp = parent.timestamp + cfg.block_time
    const cur = await l1.blockByNumber(parent.l1origin.number)
    if (!cur || cur.ref.hash !== parent.l1origin.hash) {
      node.requestReset(`sequencer: L1 origin ${parent.l1origin.number} of the unsafe head is no longer canonical`)
      return false
    }
    let origin = cur
    if (cur.ref.number + 1 <= l1.head.number - node.conf.sequencer.l1Confs) {
      const next = await l1.blockByNumber(cur.ref.number + 1)
      if (next && next.ref.parentHash !== cur.ref.hash) {
        node.requestReset(`sequencer: L1 block ${next.ref.number} does not build on ${cur.ref.hash}`)
        return false
      }
      if (next && timestamp >= next.ref.timestamp) origin = next
    }
    const pastDrift = timestamp > origin.ref.timestamp + maxSequencerDrift(cfg, origin.ref.timestamp)
    if (pastDrift && origin === cur) {
      log.warn('max sequencer drift reached and no next L1 origin yet: waiting', { l2: parent.number + 1, origin: cur.ref.number })
      return false
    }
    const userTxs = pastDrift ? [] : this.pool.splice(0)
    this.building = userTxs
    try {
      return await this.seal(parent, timestamp, origin, origin === cur, userTxs)
    } catch (err) {
      // A block that failed half-way (an engine call timed out, L1 changed under it) keeps its txs:
      // those the engine did not take go back to the pool, or their senders' pending nonce goes back.
      const back = await this.restore(this.building).catch(() => 0)
      if (back) log.warn('block failed: its txs are back in the pool', { count: back, err: (err as Error).message })
      throw err
    } finally {
      this.building = []
    }
  }

  private async seal(parent: L2BlockRef, timestamp: number, origin: L1Block, sameEpoch: boolean, userTxs: PoolTx[]): Promise<boolean> {
    const node = this.node
    const { cfg, l1, log } = node
    const sequenceNumber = sameEpoch ? parent.sequenceNumber + 1 : 0
    const attrs = await buildAttributes({ cfg, l1, log, origin, sequenceNumber, timestamp, txs: userTxs.map((t) => t.raw) })
    const parentBlock = node.unsafeBlock
    // op-node asks op-geth for the payload after a block time at most, and op-geth seals what it executed
    // by then: half a block time here, so a sequencer that is behind (a backlog after an outage) catches up
    // with smaller blocks instead of spending more than a block time on each.
    const deadline = Date.now() + wallMs(cfg.block_time * 1000) / 2
    const built = await node.engine.build(parentBlock, timestamp, attrs.transactions, attrs.fields, attrs.gasLimit, deadline)
    if (built.unsent) {
      const later = userTxs.slice(userTxs.length - built.unsent)
      this.building = userTxs.slice(0, userTxs.length - built.unsent)
      this.pool.unshift(...later) // next block, ahead of newer txs
      log.debug('block sealed at its deadline: txs left for the next one', { l2: parent.number + 1, left: built.unsent })
    }
    for (const r of built.rejected) log.warn('dropping user tx refused by the engine', { tx: keccak256(attrs.transactions[r.index]), err: r.error })
    const rejected = new Set(built.rejected.map((r) => r.index))
    const included = attrs.transactions.slice(0, attrs.transactions.length - built.unsent).filter((_, i) => !rejected.has(i))
    try {
      await node.commit(built.block, included)
    } catch (err) {
      // Not committed: neither gossiped nor kept. The engine drops it, its txs go back to the pool.
      log.warn('sealed block not committed: dropped', { number: built.ref.number, hash: built.ref.hash, err: (err as Error).message })
      await node.engine.rewindTo(parent.number) // its txs come back through requeue (Engine.onDropped)
      this.retryAt = now() + COMMIT_BACKOFF_MS
      return false
    }
    node.setUnsafe(built.block, built.ref)
    await node.publish(built.block, included)
    log.debug('sequenced block', { number: built.ref.number, hash: built.ref.hash, txs: built.block.transactions.length, origin: origin.ref.number })
    return true
  }

  /** `admin_startSequencer`: asks the conductor (if any) first, then starts at `hash`, which must be the unsafe head. */
  async start(hash: Hex): Promise<void> {
    if (!this.node.conf.sequencer.enabled || !this.node.conf.p2p.sequencerKey) rpcFail(-32000, 'sequencer is not enabled')
    if (this.active) rpcFail(-32000, 'sequencer already running')
    await this.node.assertLeader()
    const head = this.node.unsafe
    if (hash.toLowerCase() !== head.hash.toLowerCase()) {
      rpcFail(-32000, `block hash does not match: head ${head.hash}:${head.number}, received ${hash}`)
    }
    this.active = true
    this.node.log.info('sequencer started', { head: head.number })
  }

  stop(): Hex {
    if (!this.active) rpcFail(-32000, 'sequencer not running')
    this.active = false
    this.node.log.info('sequencer stopped', { head: this.node.unsafe.number })
    return this.node.unsafe.hash
  }
}
