/**
 * The dispute games of a devnet, seen from outside (tests, faults, the recorder, `devnet status`): read from
 * its DisputeGameFactory on L1 (`gameCount`, `gameAtIndex`, then each game's `rootClaim`, `l2BlockNumber`,
 * `status`, `resolvedAt`, and its root claim's counter), in one Multicall3 round per batch; and created as
 * op-proposer does (`create(gameType, root, abi.encode(l2Block))` with the init bond).
 */
import { BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, encodePacked, http, pad, parseEventLogs, zeroAddress, type Address, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { GetGameReturnType } from 'viem/op-stack'
import { disputeGameFactoryAbi, faultDisputeGameAbi, gameStatusName, proposalExtraData, type GameStatus } from '../protocol/disputeGames.js'
import { MULTICALL3 } from '../plan/l1Deployment.js'
import type { GameSample } from './history.js'

export { GAME_STATUS } from '../protocol/disputeGames.js'

/** One dispute game, as the descriptor lists it. */
export interface DevnetGame {
  /** Index in the factory (what the portal calls the dispute game index). */
  index: number
  /** Game type (255 ALPHABET, 254 FAST). */
  type: number
  /** The game's proxy address. */
  address: Address
  /** The proposed output root (root claim). */
  root: Hex
  /** The L2 block the output root is claimed for. */
  l2Block: number
  status: GameStatus
  /** L1 timestamp of the creation, seconds. */
  createdAt: number
  /** L1 timestamp of the resolution, seconds (0 while in progress). */
  resolvedAt: number
  /** Claims in the game, the root included. */
  claims: number
  /** Whether some claim counters the root. */
  rootCountered: boolean
}

/**
 * Every game of the factory from index `from` on, oldest first.
 * @example
 * const games = await readGames(devnet.l1, devnet.contracts.l1.DisputeGameFactoryProxy)
 * games.filter((g) => g.status === 'DEFENDER_WINS')
 */
export async function readGames(l1: PublicClient | string, factory: Address, from = 0): Promise<DevnetGame[]> {
  const client = typeof l1 === 'string' ? createPublicClient({ transport: http(l1) }) : l1
  const multicall = <T>(contracts: readonly unknown[]) =>
    client.multicall({ contracts: contracts as never, allowFailure: false, multicallAddress: MULTICALL3 }) as Promise<T[]>
  const count = Number(await client.readContract({ address: factory, abi: disputeGameFactoryAbi, functionName: 'gameCount' }))
  const indices = Array.from({ length: Math.max(0, count - from) }, (_, i) => from + i)
  const entries = await multicall<readonly [number, bigint, Address]>(
    indices.map((i) => ({ address: factory, abi: disputeGameFactoryAbi, functionName: 'gameAtIndex', args: [BigInt(i)] })),
  )
  const fields = ['rootClaim', 'l2BlockNumber', 'status', 'resolvedAt', 'claimDataLen', 'claimData'] as const
  const values = await multicall<Hex | bigint | number | readonly unknown[]>(
    entries.flatMap(([, , proxy]) => fields.map((functionName) => ({ address: proxy, abi: faultDisputeGameAbi, functionName, ...(functionName === 'claimData' ? { args: [0n] } : {}) }))),
  )
  return entries.map(([type, timestamp, address], i) => {
    const [root, l2Block, status, resolvedAt, claims, rootClaim] = values.slice(i * fields.length, (i + 1) * fields.length)
    const counteredBy = (rootClaim as readonly unknown[])[1]
    return {
      index: indices[i],
      type,
      address,
      root: root as Hex,
      l2Block: Number(l2Block),
      status: gameStatusName(Number(status)),
      createdAt: Number(timestamp),
      resolvedAt: Number(resolvedAt),
      claims: Number(claims),
      rootCountered: Number(claims) > 1 || counteredBy !== zeroAddress,
    }
  })
}

/** A game as the recorder samples it (without `t` and `honestRoot`). */
export async function readGameSamples(l1Rpc: string, factory: Address, from = 0): Promise<Array<Omit<GameSample, 't' | 'honestRoot'>>> {
  const games = await readGames(createPublicClient({ transport: http(l1Rpc, { timeout: 5_000 }) }), factory, from)
  return games.map(({ type, root, resolvedAt, ...g }) => ({ ...g, gameType: type, rootClaim: root, ...(resolvedAt ? { resolvedAt } : {}) }))
}

export interface CreateGameParameters {
  l1Rpc: string
  factory: Address
  /** The proposer's key. */
  privateKey: Hex
  gameType: number
  root: Hex
  l2Block: bigint
  /** When the same proposal exists already (`GameAlreadyExists`), return that game instead of failing. @default false */
  reuse?: boolean
}

/**
 * Proposes `root` for `l2Block`: `DisputeGameFactory.create` with `initBonds(gameType)`; waits for the receipt.
 * @returns The game's address (and the creating transaction, unless an existing game was reused).
 * @example
 * const game = await createGame({ l1Rpc, factory, privateKey, gameType: 255, root, l2Block: 12n })
 */
export async function createGame(p: CreateGameParameters): Promise<{ game: Address; txHash?: Hex }> {
  const transport = http(p.l1Rpc)
  const l1 = createPublicClient({ transport, pollingInterval: 200 })
  const wallet = createWalletClient({ account: privateKeyToAccount(p.privateKey), transport })
  const value = await l1.readContract({ address: p.factory, abi: disputeGameFactoryAbi, functionName: 'initBonds', args: [p.gameType] })
  const args = [p.gameType, p.root, proposalExtraData(p.l2Block)] as const
  const existing = async () => (await l1.readContract({ address: p.factory, abi: disputeGameFactoryAbi, functionName: 'games', args }))[0]
  /** The same proposal made by someone else: mined already, or still pending (then in the next L1 blocks). */
  const existingSoon = async () => {
    const until = Date.now() + 15_000
    for (;;) {
      const game = await existing()
      if (game !== zeroAddress || Date.now() > until) return game
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  if (p.reuse) {
    const game = await existing()
    if (game !== zeroAddress) return { game }
  }
  let txHash: Hex
  try {
    const { request } = await l1.simulateContract({ account: wallet.account, address: p.factory, abi: disputeGameFactoryAbi, functionName: 'create', args, value })
    // The full ABI again (the simulation's request keeps only `create`), so a revert at sending decodes too.
    txHash = await wallet.writeContract({ ...request, abi: disputeGameFactoryAbi, chain: null })
  } catch (err) {
    // Someone (the devnet's proposer) made the same proposal between the read above and the simulation or
    // the sending.
    const exists = err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionRevertedError && e.data?.errorName === 'GameAlreadyExists')
    const game = p.reuse && exists ? await existingSoon() : zeroAddress
    if (game !== zeroAddress) return { game }
    throw err
  }
  const receipt = await l1.waitForTransactionReceipt({ hash: txHash, timeout: 60_000 })
  const [created] = parseEventLogs({ abi: disputeGameFactoryAbi, logs: receipt.logs, eventName: 'DisputeGameCreated' })
  if (receipt.status !== 'success' || !created) {
    // Mined after the same proposal of someone else in the same block: reverted with GameAlreadyExists.
    const game = p.reuse ? await existing() : zeroAddress
    if (game !== zeroAddress) return { game }
    throw new Error(`DisputeGameFactory.create reverted (${txHash})`)
  }
  return { game: created.args.disputeProxy, txHash }
}

/**
 * A game in the shape viem's op-stack actions take (`buildProveWithdrawal({ game })`), with the factory's
 * packed `GameId` as `metadata` (`gameType << 224 | timestamp << 160 | proxy`).
 */
export function viemGame(game: DevnetGame): GetGameReturnType {
  return {
    index: BigInt(game.index),
    metadata: pad(encodePacked(['uint32', 'uint64', 'address'], [game.type, BigInt(game.createdAt), game.address]), { size: 32 }),
    timestamp: BigInt(game.createdAt),
    rootClaim: game.root,
    extraData: proposalExtraData(game.l2Block),
    l2BlockNumber: BigInt(game.l2Block),
    usesSuperRoots: false,
  }
}
