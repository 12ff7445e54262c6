/**
 * op-challenger's loop, for alphabet games: every poll, list the factory's games created within the game
 * window; for each game in progress, check its starting output root against the own rollup node and that
 * the node has derived up to the game's L1 head, resolve what can be resolved (subgames whose clocks ran
 * out, bottom up, then the game), else make the honest moves and steps (`solver.ts`) with the required
 * bonds; once claims are resolved, claim the credit of the challenger (and of the additional claimants).
 */
import { createPublicClient, createWalletClient, custom, decodeErrorResult, encodeFunctionData, formatTransactionReceipt, type Address, type Hex, type LocalAccount, type PublicClient, type RpcTransactionReceipt } from 'viem'
import { lazyAccount } from '../shared/account.js'
import { rpcClient, type RpcClient } from '../shared/jsonrpc.js'
import type { Logger } from '../shared/log.js'
import { waitMined } from '../shared/txWait.js'
import { disputeGameFactoryAbi as factoryAbi, faultDisputeGameAbi as gameAbi, GAME_STATUS } from '../../protocol/disputeGames.js'
import { TRACE_TYPES, type ChallengerConfig } from './config.js'
import type { ChallengerMetrics } from './metrics.js'
import { solve, type Action, type Claim, type GameTree } from './solver.js'

/** What the challenger knows of one game (`challenger_status`). */
export interface GameSummary {
  address: Address
  index: number
  gameType: number
  status: (typeof GAME_STATUS)[number]
  rootClaim: Hex
  l2BlockNumber: number
  /** Whether the honest output root at the game's block equals the root claim (unknown until checked). */
  agreeWithRoot?: boolean
  claims: number
  /** Why the challenger does not play the game, if it does not. */
  skipped?: string
}

export interface ChallengerStats {
  moves: number
  steps: number
  resolvedClaims: number
  resolvedGames: number
  creditClaimed: string
  failedTxs: number
}

/** Immutable facts of a game, read once. */
interface GameInfo {
  address: Address
  index: number
  gameType: number
  rootClaim: Hex
  l1Head: Hex
  l2BlockNumber: bigint
  startingBlock: bigint
  startingRoot: Hex
  splitDepth: number
  maxDepth: number
  maxClock: bigint
  /** L1 head block number and the honest post-state block, once the node has derived that far. */
  l1HeadNumber?: bigint
  postBlock?: bigint
}

type GameFn = 'move' | 'step' | 'addLocalData' | 'resolveClaim' | 'resolve' | 'claimCredit'

const U64 = (1n << 64n) - 1n
/** How long a sent transaction may take to be mined (a few L1 blocks on a devnet). */
const RECEIPT_TIMEOUT_MS = 30_000

export class Challenger {
  readonly address: Address
  readonly stats: ChallengerStats = { moves: 0, steps: 0, resolvedClaims: 0, resolvedGames: 0, creditClaimed: '0', failedTxs: 0 }
  readonly games = new Map<Address, GameSummary>()
  private readonly l1: PublicClient
  private readonly wallet
  private readonly account: LocalAccount
  private readonly rollup: RpcClient
  private readonly gameTypes: number[]
  private readonly listed = new Map<number, { gameType: number; timestamp: bigint; proxy: Address }>()
  private readonly info = new Map<Address, GameInfo>()
  /** Games resolved with no credit left to claim. */
  private readonly done = new Set<Address>()
  private readonly lastError = new Map<Address, string>()
  /** The L1 head of the previous round (an L1 reorg invalidates what was read about games). */
  private lastHead: { number: bigint; hash: Hex } | undefined
  /** The L1 head (hash) of the last round in which every game's round went through. */
  private settledAt: Hex | undefined

  constructor(
    private readonly cfg: ChallengerConfig,
    private readonly log: Logger,
    private readonly metrics: ChallengerMetrics,
    /** Aborted when the challenger stops: ends its calls in flight and the wait for a transaction. */
    private readonly stopping?: AbortSignal,
  ) {
    this.account = lazyAccount(cfg.privateKey)
    this.address = this.account.address
    // viem's clients over the components' JSON-RPC client (node:http), not viem's `http` transport: that one
    // is fetch, whose first call loads undici and compiles its WebAssembly HTTP parser (about 50 ms of CPU
    // in a devnet start, with every other service starting beside it).
    const l1 = rpcClient(cfg.l1Rpc, 10_000, { signal: stopping })
    const transport = custom({ request: ({ method, params }: { method: string; params?: unknown[] }) => l1.call(method, params ?? []) })
    this.l1 = createPublicClient({ transport, pollingInterval: 200 })
    this.wallet = createWalletClient({ account: this.account, transport })
    this.rollup = rpcClient(cfg.rollupRpc, undefined, { signal: stopping })
    this.gameTypes = cfg.traceTypes.map((t) => TRACE_TYPES[t])
  }

  /** One round over every game in the window. */
  async tick(): Promise<void> {
    const head = await this.l1.getBlock({ blockTag: 'latest' })
    // The games change only with L1 blocks: a round under the head of one that went through without a
    // failure would read the same claims and clocks and do nothing new. op-challenger, too, progresses its
    // games once per new L1 head. (A game waiting for the rollup node to derive its L1 head is looked at
    // again with the next L1 block.)
    if (head.hash === this.settledAt) return
    let failed = false
    if (await this.l1Reorged(head)) {
      // Games at the reorged indexes may be gone or replaced by others at the same addresses (the factory
      // creates by nonce), so everything read from L1 is read again.
      this.log.warn('L1 reorg: reading every game again', { head: Number(head.number) })
      this.listed.clear()
      this.info.clear()
      this.done.clear()
    }
    this.lastHead = { number: head.number, hash: head.hash }
    const games = await this.listGames(head.timestamp)
    for (const game of games) {
      if (this.done.has(game.address)) continue
      try {
        await this.progress(game, head.timestamp)
        this.lastError.delete(game.address)
      } catch (err) {
        // Once per distinct error: a node or L1 that is down fails every round.
        const message = (err as Error).message
        if (this.lastError.get(game.address) !== message) this.log.warn('game round failed', { game: game.address, err: message })
        this.lastError.set(game.address, message)
        failed = true
      }
    }
    this.settledAt = failed ? undefined : head.hash
    const statuses = games.map((g) => this.games.get(g.address)?.status)
    const count = (s: GameSummary['status']) => statuses.filter((x) => x === s).length
    this.metrics.recordGamesStatus(count('IN_PROGRESS'), count('DEFENDER_WINS'), count('CHALLENGER_WINS'))
  }

  /** Whether the L1 block at the previous round's head number is no longer the one seen then. */
  private async l1Reorged(head: { number: bigint; hash: Hex; parentHash: Hex }): Promise<boolean> {
    const last = this.lastHead
    if (!last || head.hash === last.hash) return false
    if (head.number === last.number + 1n) return head.parentHash !== last.hash
    if (head.number < last.number) return true
    const then = await this.l1.getBlock({ blockNumber: last.number })
    return then.hash !== last.hash
  }

  /** Games of our types created within the window, newest first (`gameCount`, `gameAtIndex`). */
  private async listGames(now: bigint): Promise<GameInfo[]> {
    const count = Number(await this.l1.readContract({ address: this.cfg.factory, abi: factoryAbi, functionName: 'gameCount' }))
    const since = now - BigInt(Math.floor(this.cfg.gameWindowMs / 1000))
    const out: GameInfo[] = []
    for (let i = count - 1; i >= 0; i--) {
      let entry = this.listed.get(i)
      if (!entry) {
        const [gameType, timestamp, proxy] = await this.l1.readContract({ address: this.cfg.factory, abi: factoryAbi, functionName: 'gameAtIndex', args: [BigInt(i)] })
        entry = { gameType, timestamp, proxy }
        this.listed.set(i, entry)
      }
      if (entry.timestamp < since) break
      if (!this.gameTypes.includes(entry.gameType)) continue
      if (this.cfg.allowlist && !this.cfg.allowlist.includes(entry.proxy)) continue
      out.push(await this.gameInfo(i, entry.gameType, entry.proxy))
    }
    return out
  }

  private async gameInfo(index: number, gameType: number, address: Address): Promise<GameInfo> {
    const known = this.info.get(address)
    if (known) return known
    const read = <F extends 'rootClaim' | 'l1Head' | 'l2BlockNumber' | 'startingBlockNumber' | 'startingRootHash' | 'splitDepth' | 'maxGameDepth' | 'maxClockDuration'>(functionName: F) =>
      this.l1.readContract({ address, abi: gameAbi, functionName })
    const [rootClaim, l1Head, l2BlockNumber, startingBlock, startingRoot, splitDepth, maxDepth, maxClock] = await Promise.all([
      read('rootClaim'), read('l1Head'), read('l2BlockNumber'), read('startingBlockNumber'), read('startingRootHash'), read('splitDepth'), read('maxGameDepth'), read('maxClockDuration'),
    ])
    const info: GameInfo = { address, index, gameType, rootClaim, l1Head, l2BlockNumber, startingBlock, startingRoot, splitDepth: Number(splitDepth), maxDepth: Number(maxDepth), maxClock }
    this.info.set(address, info)
    return info
  }

  private async progress(game: GameInfo, now: bigint): Promise<void> {
    const status = await this.l1.readContract({ address: game.address, abi: gameAbi, functionName: 'status' })
    const summary: GameSummary = this.games.get(game.address) ?? {
      address: game.address, index: game.index, gameType: game.gameType, status: 'IN_PROGRESS', rootClaim: game.rootClaim, l2BlockNumber: Number(game.l2BlockNumber), claims: 1,
    }
    summary.status = GAME_STATUS[status] ?? 'IN_PROGRESS'
    this.games.set(game.address, summary)
    if (status === 0) await this.play(game, summary, now)
    const credit = await this.claimCredits(game)
    if (status !== 0 && !credit) this.done.add(game.address)
  }

  /** Resolves what can be resolved; otherwise makes the honest moves. */
  private async play(game: GameInfo, summary: GameSummary, now: bigint): Promise<void> {
    const outputs = new Map<bigint, Promise<Hex>>()
    const outputAt = (block: bigint) => {
      let root = outputs.get(block)
      if (!root) {
        root = this.rollup.call<{ outputRoot: Hex }>('optimism_outputAtBlock', [`0x${block.toString(16)}`]).then((o) => o.outputRoot)
        outputs.set(block, root)
      }
      return root
    }
    if ((await outputAt(game.startingBlock)) !== game.startingRoot) {
      summary.skipped = `starting output root at block ${game.startingBlock} differs from the rollup node's`
      return
    }
    const claims = await this.claims(game)
    summary.claims = claims.length
    if (await this.resolve(game, claims, now)) return
    const postBlock = await this.postBlock(game)
    if (postBlock === undefined) {
      summary.skipped = 'the rollup node has not derived up to the game L1 head yet'
      return
    }
    summary.skipped = undefined
    const tree: GameTree = { splitDepth: game.splitDepth, maxDepth: game.maxDepth, startingBlock: game.startingBlock, postBlock, claims }
    const { agreeWithRoot, actions } = await solve(tree, outputAt)
    if (summary.agreeWithRoot === undefined) this.log.info(agreeWithRoot ? 'game root agrees with our node' : 'game root disagrees with our node: countering', { game: game.address, block: game.l2BlockNumber })
    summary.agreeWithRoot = agreeWithRoot
    for (const action of actions) await this.act(game, action)
  }

  /** The game's block clamped to the honest safe head at its L1 head (`optimism_safeHeadAtL1Block`), once derived. */
  private async postBlock(game: GameInfo): Promise<bigint | undefined> {
    if (game.postBlock !== undefined) return game.postBlock
    game.l1HeadNumber ??= (await this.l1.getBlock({ blockHash: game.l1Head })).number
    const sync = await this.rollup.call<{ current_l1: { number: number } }>('optimism_syncStatus')
    if (BigInt(sync.current_l1.number) < game.l1HeadNumber) return undefined
    const at = await this.rollup.call<{ safeHead: { number: number } }>('optimism_safeHeadAtL1Block', [`0x${game.l1HeadNumber.toString(16)}`])
    const safe = BigInt(at.safeHead.number)
    game.postBlock = safe < game.l2BlockNumber ? safe : game.l2BlockNumber
    return game.postBlock
  }

  private async claims(game: GameInfo): Promise<Claim[]> {
    const n = Number(await this.l1.readContract({ address: game.address, abi: gameAbi, functionName: 'claimDataLen' }))
    return Promise.all(
      Array.from({ length: n }, async (_, index) => {
        const [parentIndex, counteredBy, claimant, bond, claim, position, clock] = await this.l1.readContract({ address: game.address, abi: gameAbi, functionName: 'claimData', args: [BigInt(index)] })
        return { index, parentIndex, counteredBy, claimant, bond, claim, position, clock }
      }),
    )
  }

  /**
   * Resolves, bottom up, every subgame whose challenger clock ran out and whose children are resolved,
   * then the game once the root subgame is. With `--selective-claim-resolution`, only subgames whose bond
   * may go to one of our claimants. Returns whether anything was resolvable.
   */
  private async resolve(game: GameInfo, claims: Claim[], now: bigint): Promise<boolean> {
    const resolved = await Promise.all(claims.map((c) => this.l1.readContract({ address: game.address, abi: gameAbi, functionName: 'resolvedSubgames', args: [BigInt(c.index)] })))
    const ours = new Set<Address>([this.address, ...this.cfg.additionalClaimants])
    const children = (i: number) => claims.filter((c) => c.parentIndex === i)
    let any = false
    for (const c of [...claims].reverse()) {
      if (resolved[c.index]) continue
      const parentDuration = c.index === 0 ? 0n : claims[c.parentIndex].clock >> 64n
      const elapsed = parentDuration + (now - (c.clock & U64))
      if (elapsed < game.maxClock) continue
      if (!children(c.index).every((k) => resolved[k.index])) continue
      if (this.cfg.selectiveClaimResolution && c.index !== 0 && ![c, ...children(c.index)].some((k) => ours.has(k.claimant))) continue
      any = true
      if (!(await this.send(game.address, 'resolveClaim', [BigInt(c.index), 0n]))) return true
      resolved[c.index] = true
      this.stats.resolvedClaims++
    }
    if (resolved[0]) {
      any = true
      if (await this.send(game.address, 'resolve', [])) {
        this.stats.resolvedGames++
        this.log.info('game resolved', { game: game.address })
      }
    }
    return any
  }

  private async act(game: GameInfo, action: Action): Promise<void> {
    if (action.kind === 'move') {
      const bond = await this.l1.readContract({ address: game.address, abi: gameAbi, functionName: 'getRequiredBond', args: [action.position] })
      this.log.info(action.isAttack ? 'attack' : 'defend', { game: game.address, parent: action.parentIndex, position: action.position, claim: action.claim })
      if (await this.send(game.address, 'move', [action.disputed, BigInt(action.parentIndex), action.claim, action.isAttack], bond)) {
        this.stats.moves++
        this.metrics.moves.inc()
      }
      return
    }
    if (action.localData && !(await this.send(game.address, 'addLocalData', [action.localData.ident, action.localData.execLeafIdx, 0n]))) return
    this.log.info('step', { game: game.address, claim: action.claimIndex, attack: action.isAttack })
    if (await this.send(game.address, 'step', [BigInt(action.claimIndex), action.isAttack, action.stateData, '0x'])) {
      this.stats.steps++
      this.metrics.steps.inc()
    }
  }

  /** Claims the credit of every claimant of ours in the game; returns whether some is left. */
  private async claimCredits(game: GameInfo): Promise<boolean> {
    let left = false
    for (const who of [this.address, ...this.cfg.additionalClaimants]) {
      const credit = await this.l1.readContract({ address: game.address, abi: gameAbi, functionName: 'credit', args: [who] })
      if (credit === 0n) continue
      if (await this.send(game.address, 'claimCredit', [who])) {
        this.stats.creditClaimed = (BigInt(this.stats.creditClaimed) + credit).toString()
        this.log.info('credit claimed', { game: game.address, recipient: who, wei: credit })
      } else left = true
    }
    return left
  }

  /** Simulates, sends and waits for one transaction to the game; false (logged) when it reverts or is not mined. */
  private async send(address: Address, functionName: GameFn, args: readonly unknown[], value = 0n): Promise<boolean> {
    const data = encodeFunctionData({ abi: gameAbi, functionName, args } as Parameters<typeof encodeFunctionData>[0])
    try {
      await this.l1.call({ account: this.account, to: address, data, value })
      // anvil's estimate can be short of what the tx needs (resolveClaim ran out of gas at it): add half.
      const gas = ((await this.l1.estimateGas({ account: this.account, to: address, data, value })) * 3n) / 2n
      const hash = await this.wallet.sendTransaction({ to: address, data, value, gas, chain: null })
      this.metrics.txPublished.inc()
      const mined = await waitMined<RpcTransactionReceipt>((method, params) => this.l1.request({ method, params } as never), hash, RECEIPT_TIMEOUT_MS, { signal: this.stopping })
      if ('dropped' in mined) throw new Error(`transaction ${hash} was dropped (an L1 reorg?): sending again next round`)
      if ('timedOut' in mined) throw new Error(`transaction ${hash} was not mined within ${RECEIPT_TIMEOUT_MS} ms`)
      const receipt = formatTransactionReceipt(mined.receipt)
      this.metrics.txConfirmed.labels(receipt.status === 'success' ? 'success' : 'failed').inc()
      if (receipt.status === 'success') return true
      // Replay it on the state of its block for the reason (the state it ran on is gone).
      const reason = await this.l1
        .call({ account: this.account, to: address, data, value, blockNumber: receipt.blockNumber - 1n, gas: receipt.gasUsed })
        .then(() => `out of gas? (used ${receipt.gasUsed})`, revertReason)
      throw new Error(`transaction ${hash} reverted: ${reason}`)
    } catch (err) {
      if (this.stopping?.aborted) throw err // stopping: not a failed transaction
      this.stats.failedTxs++
      this.log.warn(`${functionName} failed`, { game: address, err: revertReason(err) })
      return false
    }
  }
}

/** The decoded custom error of a revert (`ClockTimeExceeded`), else the error's short message. */
function revertReason(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string; walk?: (fn: (e: unknown) => boolean) => unknown }
  const data = e.walk?.((x) => typeof (x as { data?: unknown }).data === 'string') as { data?: Hex } | undefined
  if (data?.data) {
    try {
      return decodeGameError(data.data)
    } catch {
      // not one of the game's errors
    }
  }
  return e.shortMessage ?? e.message ?? String(err)
}

function decodeGameError(data: Hex): string {
  const decoded = decodeErrorResult({ abi: gameAbi, data })
  return `${decoded.errorName}(${(decoded.args ?? []).join(', ')})`
}
