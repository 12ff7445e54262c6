/**
 * The dispute games of a devnet, read from its DisputeGameFactory on L1 (`gameCount`, `gameAtIndex`, then
 * each game's `rootClaim`, `l2BlockNumber`, `status`, `resolvedAt`), in one Multicall3 round per batch:
 * what `devnet status --json` lists as `games`, what withdrawals prove against, what timelines show.
 */
import { createPublicClient, encodePacked, http, pad, type Address, type Hex, type PublicClient } from 'viem'
import type { GetGameReturnType } from 'viem/op-stack'
import { disputeGameFactoryAbi, faultDisputeGameAbi, gameStatusName, proposalExtraData, type GameStatus } from '../protocol/disputeGames.js'
import { MULTICALL3 } from '../plan/l1Deployment.js'

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
  const fields = ['rootClaim', 'l2BlockNumber', 'status', 'resolvedAt'] as const
  const values = await multicall<Hex | bigint | number>(
    entries.flatMap(([, , proxy]) => fields.map((functionName) => ({ address: proxy, abi: faultDisputeGameAbi, functionName }))),
  )
  return entries.map(([type, timestamp, address], i) => {
    const [root, l2Block, status, resolvedAt] = values.slice(i * fields.length, (i + 1) * fields.length)
    return {
      index: indices[i],
      type,
      address,
      root: root as Hex,
      l2Block: Number(l2Block),
      status: gameStatusName(Number(status)),
      createdAt: Number(timestamp),
      resolvedAt: Number(resolvedAt),
    }
  })
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
