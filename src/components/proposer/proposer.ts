/**
 * The lite op-proposer (fault-proof path). Each round, while active:
 * 1. re-checks its last game if the L1 block that held it changed (an L1 reorg): still there, it follows
 *    the new block; gone, it forgets it, so the next step proposes again;
 * 2. skips the round if it created a game of its type within the proposal interval before the L1 head,
 *    judged from the factory's own games (`gameAtIndex`, `gameCreator`), so a restart resumes where it was;
 *    once found, rounds under the same L1 head stop there (nothing they read can have changed);
 * 3. takes the rollup node's safe head (with `allowNonFinalized`) or finalized head (`optimism_syncStatus`;
 *    with a `--rollup-rpc` list, of the node whose sequencer is active: `shared/activeRollup.ts`), skips block 0, fetches `optimism_outputAtBlock` (version 0 only) and waits until L1 reached the
 *    node's derivation origin, and until that origin is on L1 (a node that has not followed an L1 reorg yet);
 * 4. skips a proposal that exists already (`games(type, root, extraData)`), checks its balance covers
 *    `initBonds(type)`, and sends `create(type, outputRoot, abi.encode(l2Block))` with the bond as value.
 */
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, getAddress, type Address, type Hex } from 'viem'
import { lazyAccount } from '../shared/account.js'
import { disputeGameFactoryAbi, faultDisputeGameAbi, proposalExtraData } from '../../protocol/disputeGames.js'
import type { SyncStatus } from '../../protocol/types.js'
import { activeRollup, type ActiveRollup } from '../shared/activeRollup.js'
import { rpcClient, RpcError, type RpcClient } from '../shared/jsonrpc.js'
import type { Logger } from '../shared/log.js'
import { waitMined } from '../shared/txWait.js'
import type { ProposerConfig } from './flags.js'
import type { ProposerMetrics } from './metrics.js'

/** A game this proposer created, and where on L1 it landed. */
export interface ProposedGame {
  proxy: Address
  root: Hex
  l2Block: number
  tx: Hex
  l1Block: { number: number; hash: Hex }
}

/** What `proposer_status` and `/healthz` report. */
export interface ProposerStatus {
  active: boolean
  address: Address
  gameType: number
  /** Games this process created. */
  proposals: number
  /** Rounds that found their proposal on the factory already. */
  skippedExisting: number
  /** L1 reorgs that removed its last game. */
  reorgs: number
  lastGame?: ProposedGame
  /** The last round's failure (a revert, a balance below the bond, an unregistered game type), cleared by a success. */
  lastError?: string
}

interface RpcBlock {
  number: Hex
  hash: Hex
  baseFeePerGas?: Hex
}

const ZERO: Address = '0x0000000000000000000000000000000000000000'
const creatorAbi = [{ type: 'function', name: 'gameCreator', inputs: [], outputs: [{ type: 'address' }], stateMutability: 'pure' }] as const

export class Proposer {
  active: boolean
  private readonly account
  private readonly l1: RpcClient
  private readonly rollups: ActiveRollup
  private chainId: number | undefined
  private readonly counts = { proposals: 0, skippedExisting: 0, reorgs: 0 }
  private lastGame: ProposedGame | undefined
  private lastError: string | undefined
  /** The L1 head (hash) under which the last round found a game of ours within the proposal interval. */
  private recentGameAt: Hex | undefined

  constructor(
    private readonly conf: ProposerConfig,
    private readonly log: Logger,
    private readonly metrics: ProposerMetrics,
    /** Aborted when the proposer stops: ends its calls in flight and the wait for a transaction. */
    private readonly stopping?: AbortSignal,
  ) {
    this.active = !conf.stopped
    this.account = lazyAccount(conf.privateKey)
    this.l1 = rpcClient(conf.l1EthRpc, undefined, { signal: stopping })
    this.rollups = activeRollup(conf.rollupRpc, { checkMs: conf.activeSequencerCheckMs, timeoutMs: 5_000, log, signal: stopping })
  }

  status(): ProposerStatus {
    return {
      active: this.active,
      address: this.account.address,
      gameType: this.conf.gameType,
      ...this.counts,
      ...(this.lastGame ? { lastGame: this.lastGame } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    }
  }

  /** One round (see the module comment). Throws only on transport errors; refusals are recorded in `lastError`. */
  async tick(): Promise<void> {
    if (!this.active) return
    const l1Head = await this.l1.call<RpcBlock & { timestamp: Hex }>('eth_getBlockByNumber', ['latest', false])
    // What step 2 judges is on L1 alone: under the L1 head of a round that found a game within the
    // interval, the next finds the same: one call a round instead of four or more.
    if (l1Head.hash === this.recentGameAt) return
    await this.recheckAfterReorg()
    if (await this.proposedWithinInterval(l1Head)) {
      this.recentGameAt = l1Head.hash
      return
    }
    this.recentGameAt = undefined
    const rollup = await this.rollups.client()
    const status = await rollup.call<SyncStatus>('optimism_syncStatus')
    const head = this.conf.allowNonFinalized ? status.safe_l2 : status.finalized_l2
    if (head.number === 0) return
    const output = await rollup.call<{ version: Hex; outputRoot: Hex }>('optimism_outputAtBlock', [`0x${head.number.toString(16)}`])
    if (BigInt(output.version) !== 0n) {
      this.refuse(`unsupported output version ${output.version}`)
      return
    }
    // The node's derivation origin must be a block of our L1. Missing: our L1 is behind the node's (the
    // game's l1Head would not hold the data). Another block: an L1 reorg the node has not followed yet, so
    // its safe head may be derived from removed L1 blocks, an output root no node will compute once it has.
    const origin = await this.l1.call<RpcBlock | null>('eth_getBlockByNumber', [`0x${status.current_l1.number.toString(16)}`, false])
    if (!origin) return
    if (origin.hash !== status.current_l1.hash) {
      this.refuse(`the rollup node's L1 origin ${status.current_l1.number} (${status.current_l1.hash}) is not on L1 (${origin.hash} there): waiting until it follows the L1 reorg`, 'warn')
      return
    }
    const extraData = proposalExtraData(head.number)
    const [existing] = await this.read('games', [this.conf.gameType, output.outputRoot, extraData])
    if (existing !== ZERO) {
      this.counts.skippedExisting++
      this.metrics.recordL2Ref('valid_output', head)
      this.log.debug('proposal exists already', { l2Block: head.number, game: existing })
      return
    }
    if (await this.create(output.outputRoot, head.number, extraData)) this.metrics.recordL2Ref('proposed', head)
  }

  /** An L1 reorg moved the block holding the last game: follow it, or forget the game if it is gone. */
  private async recheckAfterReorg(): Promise<void> {
    const game = this.lastGame
    if (!game) return
    const block = await this.l1.call<RpcBlock | null>('eth_getBlockByNumber', [`0x${game.l1Block.number.toString(16)}`, false])
    if (block?.hash === game.l1Block.hash) return
    const receipt = await this.l1.call<{ blockNumber: Hex; blockHash: Hex; status: Hex } | null>('eth_getTransactionReceipt', [game.tx])
    if (receipt?.status === '0x1') {
      game.l1Block = { number: Number(receipt.blockNumber), hash: receipt.blockHash }
      this.log.info('L1 reorg: the last game is still on L1', { game: game.proxy, l1Block: game.l1Block.number })
      return
    }
    this.counts.reorgs++
    this.lastGame = undefined
    this.log.warn('L1 reorg removed the last game; proposing again', { game: game.proxy, l2Block: game.l2Block })
  }

  /**
   * Whether this proposer created a game of its type within the proposal interval before the L1 head
   * (read from the factory). L1 time, not the wall clock: games are then at least an interval apart in
   * the timestamps the contracts record.
   */
  private async proposedWithinInterval(head: { timestamp: Hex }): Promise<boolean> {
    const cutoff = BigInt(head.timestamp) - BigInt(Math.ceil(this.conf.proposalIntervalMs / 1000))
    const count = (await this.read('gameCount', []))[0] as bigint
    for (let i = count - 1n; i >= 0n; i--) {
      const [gameType, timestamp, proxy] = (await this.read('gameAtIndex', [i])) as [number, bigint, Address]
      if (timestamp <= cutoff) return false
      if (gameType !== this.conf.gameType) continue
      const creator = await this.l1.call<Hex>('eth_call', [{ to: proxy, data: encodeFunctionData({ abi: creatorAbi, functionName: 'gameCreator' }) }, 'latest'])
      if (BigInt(creator) === BigInt(this.account.address)) return true
    }
    return false
  }

  /** Creates the game; returns whether it did (a refusal is recorded in `lastError`). */
  private async create(root: Hex, l2Block: number, extraData: Hex): Promise<boolean> {
    const { gameType, gameFactoryAddress: factory } = this.conf
    if ((await this.read('gameImpls', [gameType]))[0] === ZERO) return this.refuse(`game type ${gameType} is not registered in the DisputeGameFactory at ${factory}`)
    const bond = (await this.read('initBonds', [gameType]))[0] as bigint
    const balance = BigInt(await this.l1.call<Hex>('eth_getBalance', [this.account.address, 'latest']))
    if (balance < bond) return this.refuse(`the proposer's balance (${balance} wei) is below the init bond of game type ${gameType} (${bond} wei)`)
    const data = encodeFunctionData({ abi: disputeGameFactoryAbi, functionName: 'create', args: [gameType, root, extraData] })
    const call = { from: this.account.address, to: factory, data, value: `0x${bond.toString(16)}` }
    let gas: bigint
    try {
      gas = BigInt(await this.l1.call<Hex>('eth_estimateGas', [call]))
    } catch (err) {
      return this.refuse(`create(${gameType}, ${root}, block ${l2Block}) would revert: ${revertReason(err)}`)
    }
    this.chainId ??= Number(await this.l1.call<Hex>('eth_chainId'))
    const latest = await this.l1.call<RpcBlock>('eth_getBlockByNumber', ['latest', false])
    const maxPriorityFeePerGas = 1_000_000_000n
    const signed = await this.account.signTransaction({
      chainId: this.chainId,
      type: 'eip1559',
      to: factory,
      data,
      value: bond,
      gas: (gas * 12n) / 10n,
      nonce: Number(await this.l1.call<Hex>('eth_getTransactionCount', [this.account.address, 'pending'])),
      maxPriorityFeePerGas,
      maxFeePerGas: BigInt(latest.baseFeePerGas ?? '0x0') * 2n + maxPriorityFeePerGas,
    })
    const tx = await this.l1.call<Hex>('eth_sendRawTransaction', [signed])
    this.metrics.txPublished.inc()
    type Receipt = { status: Hex; blockNumber: Hex; blockHash: Hex; logs: Array<{ address: Address; topics: Hex[] }> }
    const mined = await waitMined<Receipt>((m, p) => this.l1.call(m, p), tx, RECEIPT_TIMEOUT_MS, { signal: this.stopping })
    if ('dropped' in mined) return this.refuse(`create transaction ${tx} was dropped (an L1 reorg?): proposing again`)
    if ('timedOut' in mined) return this.refuse(`create transaction ${tx} was not mined within ${RECEIPT_TIMEOUT_MS} ms`)
    const { receipt } = mined
    this.metrics.txConfirmed.labels(receipt.status === '0x1' ? 'success' : 'failed').inc()
    if (receipt.status !== '0x1') return this.refuse(`create transaction ${tx} reverted`)
    const proxy = getAddress(`0x${receipt.logs.find((l) => BigInt(l.address) === BigInt(factory))!.topics[1]!.slice(26)}`)
    this.lastGame = { proxy, root, l2Block, tx, l1Block: { number: Number(receipt.blockNumber), hash: receipt.blockHash } }
    this.counts.proposals++
    this.lastError = undefined
    this.log.info('proposed', { game: proxy, gameType, l2Block, root, bond, l1Block: Number(receipt.blockNumber) })
    return true
  }

  private async read(functionName: 'games' | 'gameCount' | 'gameAtIndex' | 'initBonds' | 'gameImpls', args: readonly unknown[]): Promise<readonly unknown[]> {
    const data = encodeFunctionData({ abi: disputeGameFactoryAbi, functionName, args } as never)
    const result = await this.l1.call<Hex>('eth_call', [{ to: this.conf.gameFactoryAddress, data }, 'latest'])
    const decoded = decodeFunctionResult({ abi: disputeGameFactoryAbi, functionName, data: result } as never) as unknown
    return Array.isArray(decoded) ? decoded : [decoded]
  }

  private refuse(message: string, level: 'error' | 'warn' = 'error'): false {
    if (message !== this.lastError) this.log[level](message)
    this.lastError = message
    return false
  }
}

/** How long a create transaction may take to be mined before the round gives up on it. @default 30 s */
export const RECEIPT_TIMEOUT_MS = 30_000

/** The decoded custom error of a reverted call (the factory's and the game's), else the node's message. */
function revertReason(err: unknown): string {
  const data = err instanceof RpcError && typeof err.data === 'string' ? (err.data as Hex) : undefined
  if (data && data.length >= 10) {
    try {
      const decoded = decodeErrorResult({ abi: [...disputeGameFactoryAbi, ...faultDisputeGameAbi], data })
      return `${decoded.errorName}(${(decoded.args ?? []).join(', ')})`
    } catch {
      // not one of the factory's errors
    }
  }
  return err instanceof Error ? err.message : String(err)
}
