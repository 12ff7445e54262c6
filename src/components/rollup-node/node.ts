/**
 * The lite rollup node: owns the heads (unsafe / safe / finalized), drives the engine, and runs the
 * sequencer, gossip and the derivation pipeline in one serial driver loop, like op-node's driver.
 */
import { keccak256, type Address, type Hex } from 'viem'
import { L2_TO_L1_MESSAGE_PASSER_ADDRESS } from '../../protocol/constants.js'
import { outputRootV0, OUTPUT_VERSION_V0 } from '../../protocol/output.js'
import type { L1BlockRef, L2BlockRef, OutputResponse, RollupConfig, SyncStatus } from '../../protocol/types.js'
import { ZERO_HASH } from '../../protocol/types.js'
import { envelopeToEngineJson } from '../../protocol/payload.js'
import type { Attributes } from './attributes.js'
import type { RollupNodeConfig } from './config.js'
import { Derivation, safeChainBlock } from './derivation.js'
import { Engine, EngineHistoryError, l2RefFromBlock, type RpcBlock } from './engine.js'
import { ConductorLink } from './conductor.js'
import { Gossip, sealedPayload, type GossipHost } from './gossip.js'
import { L1Source } from './l1.js'
import { Persistence } from './persistence.js'
import { SafeDb } from './safeDb.js'
import { Sequencer, type SequencerHost } from './sequencer.js'
import { RuntimeConfig } from './runtimeConfig.js'
import { rpcClient, rpcFail } from '../shared/jsonrpc.js'
import { BoundedCache } from '../shared/boundedCache.js'
import type { Logger } from '../shared/log.js'

/** How long a read of L1 may take before the driver step fails (the loop retries after 250 ms). */
const L1_TIMEOUT_MS = 10_000

export class RollupNode implements GossipHost, SequencerHost {
  unsafe!: L2BlockRef
  safe!: L2BlockRef
  finalized!: L2BlockRef
  unsafeBlock!: RpcBlock
  readonly l1: L1Source
  readonly sequencer: Sequencer
  readonly gossip: Gossip
  /** The conductor this sequencer commits to (`conf.conductor`). */
  readonly conductor: ConductorLink
  derivation!: Derivation
  private resetReason: string | undefined
  private stopped = false
  private wakeUp: (() => void) | undefined
  private lastHeadPoll = 0
  private lastFinalityPoll = 0
  /** The L1 head the driver last acted on (the subscription may have moved `l1.head` since). */
  private seenHead: Hex = ZERO_HASH
  /** The head moved since the last finality poll. */
  private headMoved = false
  private loopDone: Promise<void> | undefined
  /** Safe records below the finalized head, oldest first, on disk in `conf.dataDir` (op-node's safe DB). */
  private readonly safeDb: SafeDb
  /** The message passer's storage root of each block asked for (`outputAtBlock`), by block hash. */
  private readonly messagePasserRoots = new BoundedCache<Hex, Hex>(256)
  /** Snapshots of the engine and heads in `conf.dataDir` (none without a data dir). */
  readonly persistence: Persistence | undefined
  private readonly runtimeConfig: RuntimeConfig

  constructor(
    readonly cfg: RollupConfig,
    readonly conf: RollupNodeConfig,
    readonly engine: Engine,
    readonly log: Logger,
  ) {
    this.l1 = new L1Source(rpcClient(conf.l1Rpc, L1_TIMEOUT_MS), L1_TIMEOUT_MS)
    this.runtimeConfig = new RuntimeConfig(cfg, this.l1, conf.p2p.unsafeBlockSigner, log)
    this.sequencer = new Sequencer(this)
    this.gossip = new Gossip(this)
    this.conductor = new ConductorLink(conf.conductor)
    this.persistence = conf.dataDir ? new Persistence(conf.dataDir, this) : undefined
    this.safeDb = new SafeDb(conf.dataDir)
  }

  get sequencerKey(): Hex | undefined {
    return this.conf.p2p.sequencerKey
  }

  /** The signer gossip blocks must carry: SystemConfig's `unsafeBlockSigner` at the L1 head (op-node's runtime config). */
  get unsafeBlockSigner(): Address {
    return this.runtimeConfig.unsafeBlockSigner
  }

  sequencing(): boolean {
    return this.sequencer.active
  }

  publish(block: RpcBlock, rawTxs: Hex[]): Promise<void> {
    return this.gossip.publish(block, rawTxs)
  }

  commit(block: RpcBlock, rawTxs: Hex[]): Promise<void> {
    if (!this.conductor.enabled) return Promise.resolve()
    return this.conductor.commit(envelopeToEngineJson(sealedPayload(this.cfg, block, rawTxs)))
  }

  assertLeader(): Promise<void> {
    return this.conductor.assertLeader()
  }

  /**
   * Loads genesis, fills missing genesis hashes and starts at genesis, or, when the data directory
   * holds a snapshot of this chain, from the snapshot's heads (a pipeline reset then re-derives from
   * the safe head's L1 data).
   */
  async init(): Promise<void> {
    // Independent reads, side by side: the engine's genesis, L1's genesis block, the L1 head and finality.
    const [g, l1g] = await Promise.all([
      this.engine.blockByNumber(this.cfg.genesis.l2.number),
      this.l1.blockByNumber(this.cfg.genesis.l1.number),
      this.l1.pollHead(),
      this.l1.pollFinality(),
    ])
    if (!g) throw new Error('engine has no genesis block')
    if (this.cfg.genesis.l2.hash === ZERO_HASH) this.cfg.genesis.l2.hash = g.hash
    else if (this.cfg.genesis.l2.hash !== g.hash) throw new Error(`engine genesis ${g.hash} != rollup config genesis.l2.hash ${this.cfg.genesis.l2.hash}`)
    if (!l1g) throw new Error(`L1 has no block ${this.cfg.genesis.l1.number} (rollup genesis)`)
    if (this.cfg.genesis.l1.hash === ZERO_HASH) this.cfg.genesis.l1.hash = l1g.ref.hash
    else if (this.cfg.genesis.l1.hash !== l1g.ref.hash) throw new Error(`L1 block ${l1g.ref.number} is ${l1g.ref.hash}, rollup config says ${this.cfg.genesis.l1.hash}`)
    this.startAtGenesis(g)
    this.derivation = new Derivation(
      {
        cfg: this.cfg,
        l1: this.l1,
        log: this.log,
        verifierL1Confs: this.conf.verifierL1Confs,
        safeHead: () => this.safe,
        l2Block: async (n) => safeChainBlock(await this.engine.blockByNumber(n), this.cfg),
        applyDerived: (a, from) => this.applyDerived(a, from),
        requestReset: (r) => this.requestReset(r),
      },
      l1g.ref,
    )
    await this.runtimeConfig.reload()
    const resumed = await this.persistence?.resume(g.hash)
    if (resumed) {
      this.derivation.records.push(...resumed.records)
      this.finalized = resumed.finalized
      this.unsafeBlock = resumed.head
      this.unsafe = l2RefFromBlock(resumed.head, this.cfg)
      // The highest persisted safe block until the reset confirms it: reporting finalized meanwhile made a
      // restart look like the safe head moving back (found by a chaos run: crash, start).
      this.safe = resumed.records.at(-1)?.l2 ?? this.finalized
      this.requestReset('resuming from the persisted engine state')
    }
    // The safe DB below the finalized head this node starts at (all of it gone on a cold start).
    this.safeDb.load(this.finalized.number)
  }

  private startAtGenesis(g: RpcBlock): void {
    this.unsafe = this.safe = this.finalized = l2RefFromBlock(g, this.cfg)
    this.unsafeBlock = g
  }

  /**
   * Starts over from genesis on a fresh engine: the only way back when the engine must reorg below
   * the block its snapshot was loaded at (anvil keeps no older states across a load).
   */
  private async coldStart(reason: string): Promise<void> {
    this.log.warn('cold start: re-syncing from genesis', { reason })
    await this.engine.restartCold()
    this.persistence?.discard()
    this.safeDb.clear()
    const g = await this.engine.blockByNumber(this.cfg.genesis.l2.number)
    if (!g || g.hash !== this.cfg.genesis.l2.hash) throw new Error('fresh engine has another genesis')
    this.startAtGenesis(g)
    this.derivation.truncateRecords(-1)
    this.requestReset(`cold start: ${reason}`)
  }

  refOf(block: RpcBlock): L2BlockRef {
    return l2RefFromBlock(block, this.cfg)
  }

  setUnsafe(block: RpcBlock, ref: L2BlockRef): void {
    this.unsafeBlock = block
    this.unsafe = ref
    if (ref.number < this.safe.number) this.safe = ref
  }

  /** Whether derivation has read L1 up to (about) its head, so the node knows everything L1 holds. */
  derivedToL1Head(): boolean {
    return this.derivation.cursor.number + 1 >= this.l1.head.number - this.conf.verifierL1Confs
  }

  requestReset(reason: string): void {
    if (!this.resetReason) this.log.warn('pipeline reset requested', { reason })
    this.resetReason ??= reason
    this.wake()
  }

  wake(): void {
    this.wakeUp?.()
  }

  /** Applies derived attributes after the safe head: consolidates with the unsafe block or replaces it. */
  private async applyDerived(attrs: Attributes, derivedFrom: L1BlockRef): Promise<L2BlockRef> {
    const n = this.safe.number + 1
    if (this.unsafe.number >= n) {
      const existing = await this.engine.blockByNumber(n)
      if (existing && existing.parentHash === this.safe.hash && Number(existing.timestamp) === attrs.timestamp && Number(existing.gasLimit) === attrs.gasLimit && sameTxs(existing, attrs.transactions)) {
        this.safe = l2RefFromBlock(existing, this.cfg)
        return this.safe
      }
      this.log.warn('derived block differs from the unsafe block: reorging unsafe chain', { number: n, unsafe: existing?.hash, from: derivedFrom.number })
    }
    const parent = this.safe.number === this.unsafe.number ? this.unsafeBlock : await this.engine.blockByNumber(this.safe.number)
    if (!parent || parent.hash !== this.safe.hash) throw new Error(`engine lost the safe head ${this.safe.number} ${this.safe.hash}`)
    const built = await this.engine.build(parent, attrs.timestamp, attrs.transactions, attrs.fields, attrs.gasLimit)
    for (const r of built.rejected) this.log.warn('batch tx refused by the engine', { number: n, index: r.index, err: r.error })
    this.setUnsafe(built.block, built.ref)
    this.safe = built.ref
    return built.ref
  }

  /** Walks the heads back to canonical L1 and restarts derivation (op-node's sync-start, simplified). */
  private async reset(): Promise<void> {
    const reason = this.resetReason
    this.resetReason = undefined
    this.l1.clearCache()
    await this.l1.pollHead()
    const isCanonical = this.l1.canonicalView()
    let u = this.unsafe
    while (u.number > this.finalized.number) {
      if (u.l1origin.number <= this.l1.head.number && (await isCanonical(u.l1origin))) break
      const prev = await this.engine.refByNumber(u.number - 1)
      if (!prev) throw new Error(`engine has no block ${u.number - 1}`)
      u = prev
    }
    const records = this.derivation.records
    let safe = this.finalized
    let derivedFrom: L1BlockRef | undefined
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i]
      if (r.l2.number > u.number) continue
      if (!(await isCanonical(r.derivedFrom))) continue
      const onChain = await this.engine.refByNumber(r.l2.number)
      if (onChain?.hash !== r.l2.hash) continue
      safe = r.l2
      derivedFrom = r.derivedFrom
      break
    }
    this.derivation.truncateRecords(safe.number)
    if (u.number < this.unsafe.number) {
      await this.engine.rewindTo(u.number)
      const block = await this.engine.blockByNumber(u.number)
      if (!block) throw new Error(`engine has no block ${u.number} after rewind`)
      this.unsafeBlock = block
    }
    this.unsafe = u
    this.safe = safe
    const startNumber = derivedFrom ? this.derivation.restartPoint(derivedFrom) : Math.max(this.cfg.genesis.l1.number, safe.l1origin.number - this.cfg.channel_timeout)
    const start = await this.l1.blockByNumber(startNumber)
    if (!start) throw new Error(`L1 has no block ${startNumber}`)
    this.derivation.resetTo(start.ref)
    this.log.warn('pipeline reset', { reason, unsafe: u.number, safe: safe.number, finalized: this.finalized.number, l1Restart: startNumber })
  }

  /**
   * Promotes the highest safe block derived from finalized L1 data. Never moves back, not even across a
   * crash: the new finalized head is on disk (the safe DB, then a snapshot) before anyone can see it, as
   * op-geth writes its finalized marker before it answers forkchoiceUpdated.
   */
  private async updateFinalized(): Promise<void> {
    const finL1 = this.l1.finalized.number
    const records = this.derivation.records
    let found: (typeof records)[number] | undefined
    for (const r of records) if (r.derivedFrom.number <= finL1 && r.l2.number <= this.safe.number) found = r
    if (!found || found.l2.number <= this.finalized.number) return
    // L1's finality is read from L1 as it is now; the records name the blocks derivation read, which an L1
    // reorg the pipeline has not noticed yet (the new branch as long as the old) may have replaced. As
    // op-node's finalizer does, the block the new finalized head was derived from must still be canonical,
    // else the node resets instead: finalizing by number alone made a block final on a replaced branch.
    if (!(await this.l1.isCanonical(found.derivedFrom))) {
      this.requestReset(`finality: L2 block ${found.l2.number} was derived from L1 block ${found.derivedFrom.number} ${found.derivedFrom.hash}, which is no longer canonical`)
      return
    }
    const best = found.l2
    const keepFrom = records.findIndex((r) => r.l2.number >= best.number)
    if (keepFrom > 0) this.safeDb.add(records.splice(0, keepFrom))
    await this.persistence?.saveFinalized(best)
    this.finalized = best
  }

  /**
   * `optimism_safeHeadAtL1Block` (op-node's safe DB): the safe head recorded once derivation had processed
   * L1 block `l1Number` (the last safe record derived from it or an earlier block), with that L1 block.
   */
  safeHeadAtL1Block(l1Number: number): { l1Block: { hash: Hex; number: number }; safeHead: { hash: Hex; number: number } } {
    const all = [...this.safeDb.records, ...this.derivation.records]
    const r = all.findLast((rec) => rec.derivedFrom.number <= l1Number)
    if (!r) rpcFail(-32000, 'not found')
    return { l1Block: { hash: r.derivedFrom.hash, number: r.derivedFrom.number }, safeHead: { hash: r.l2.hash, number: r.l2.number } }
  }

  /**
   * Reads L1. The head: polled every `l1PollMs`, and with `l1Ws` also taken from the `newHeads` subscription
   * the moment it changes (the loop is woken). The poll stays as often even with the subscription live: it is
   * also how the driver notices L1 going away (the loop stops at the failing read), and a 2 s check let gossip
   * received before a docker partition land seconds after it (replica-cut-off failed in CI). Finality: at
   * most every `l1EpochPollMs`, and only after the head moved (L1's `safe`/`finalized` move with its blocks).
   */
  private async poll(now: number): Promise<void> {
    if (now - this.lastHeadPoll >= this.conf.l1PollMs) {
      this.lastHeadPoll = now
      await this.l1.pollHead()
    }
    const head = this.l1.head
    const before = this.seenHead
    if (head.hash !== before) {
      this.seenHead = head.hash
      this.headMoved = true
      // A head that does not extend the previous one may have replaced cached blocks (an L1 reorg).
      if (head.parentHash !== before) this.l1.clearCache()
      this.runtimeConfig.schedule()
      const cursor = this.derivation.cursor
      if (head.number <= cursor.number && !(await this.l1.isCanonical(cursor))) {
        this.requestReset(`L1 reorg detected: derivation origin ${cursor.number} is no longer canonical`)
      }
    }
    if (now - this.lastFinalityPoll >= this.conf.l1EpochPollMs && this.headMoved) {
      this.lastFinalityPoll = now
      this.headMoved = false
      await this.l1.pollFinality()
    }
  }

  /** Starts the driver loop (and the L1 head subscription, with `l1Ws`). */
  start(): void {
    this.seenHead = this.l1.head.hash
    if (this.conf.l1Ws) {
      const l1Ws = this.conf.l1Ws
      this.l1.followHeads(l1Ws, () => this.wake(), (live) => this.log.info(live ? 'L1 head subscription live' : 'L1 head subscription down: polling', { l1: l1Ws }))
    }
    this.loopDone = this.loop()
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.poll(Date.now())
        if (this.resetReason) await this.reset()
        let progress = await this.gossip.step()
        if (await this.sequencer.step()) progress = true
        for (let i = 0; i < 32 && !this.resetReason && !this.stopped; i++) {
          if (!(await this.derivation.step())) break
          progress = true
          if (this.sequencer.active && this.sequencer.dueInMs() <= 0) break
        }
        await this.updateFinalized()
        await this.persistence?.maybeSave(Date.now())
        if (!progress) await this.idle()
      } catch (err) {
        if (this.stopped) break
        if (err instanceof EngineHistoryError) {
          await this.coldStart(err.message).catch((e: unknown) => this.log.error('cold start failed', { err: (e as Error).message }))
          continue
        }
        this.log.error('driver step failed', { err: (err as Error).message })
        await new Promise((r) => setTimeout(r, 250))
      }
    }
  }

  private idle(): Promise<void> {
    let ms = this.conf.l1PollMs
    if (this.sequencer.active) ms = Math.max(0, Math.min(ms, this.sequencer.dueInMs()))
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wakeUp = () => {
        this.wakeUp = undefined
        done()
      }
    })
  }

  syncStatus(): SyncStatus {
    const l1 = this.l1
    return {
      current_l1: this.derivation.cursor,
      current_l1_finalized: l1.finalized,
      head_l1: l1.head,
      safe_l1: l1.safe,
      finalized_l1: l1.finalized,
      unsafe_l2: this.unsafe,
      safe_l2: this.safe,
      finalized_l2: this.finalized,
      pending_safe_l2: this.safe,
      cross_unsafe_l2: this.unsafe,
      local_safe_l2: this.safe,
    }
  }

  /** `optimism_outputAtBlock`: output root v0 from the block and `eth_getProof` of the message passer. */
  async outputAtBlock(number: number): Promise<OutputResponse> {
    if (number > this.unsafe.number) rpcFail(-32000, `block ${number} not found (unsafe head is ${this.unsafe.number})`)
    const block = await this.engine.blockByNumber(number)
    if (!block) rpcFail(-32000, `block ${number} not found`)
    // By hash (EIP-1898), not number: the engine may replace block `number` between the two calls (a reorg, a
    // restarted node syncing), and the root must be of the state of the block it names.
    // A block's state never changes: its message passer's root is read once (proposer, challenger, proxyd's
    // and the recorder's rounds ask the same blocks again and again; eth_getProof is the engine's dearest call).
    const storageHash = await this.messagePasserRoots.get(block.hash, async () => (await this.engine.rpc.call<{ storageHash: Hex }>('eth_getProof', [L2_TO_L1_MESSAGE_PASSER_ADDRESS, [], { blockHash: block.hash }])).storageHash)
    const stateRoot = block.stateRoot as Hex
    return {
      version: OUTPUT_VERSION_V0,
      outputRoot: outputRootV0({ stateRoot, messagePasserStorageRoot: storageHash, blockHash: block.hash }),
      blockRef: l2RefFromBlock(block, this.cfg),
      withdrawalStorageRoot: storageHash,
      stateRoot,
      syncStatus: this.syncStatus(),
    }
  }

  /** Stops the driver loop, then writes a last snapshot (a graceful stop loses no block). */
  async stop(): Promise<void> {
    this.stopped = true
    this.l1.close()
    this.wake()
    await this.loopDone
    if (this.loopDone) await this.persistence?.save().catch((err: unknown) => this.log.error('final snapshot failed', { err: (err as Error).message }))
  }
}

function sameTxs(block: RpcBlock, raw: Hex[]): boolean {
  if (block.transactions.length !== raw.length) return false
  return raw.every((tx, i) => keccak256(tx) === block.transactions[i].hash)
}
