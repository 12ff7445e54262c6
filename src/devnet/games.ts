/**
 * Dispute games of a devnet, seen from outside (tests, faults, the recorder): creating an output proposal
 * as op-proposer does (`DisputeGameFactory.create(gameType, root, abi.encode(l2Block))` with the init
 * bond) and reading every game's state from L1.
 */
import { createPublicClient, createWalletClient, encodeAbiParameters, http, parseAbi, parseEventLogs, zeroAddress, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { GameSample } from './history.js'

const factoryAbi = parseAbi([
  'function create(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) payable returns (address proxy_)',
  'function initBonds(uint32) view returns (uint256)',
  'function gameCount() view returns (uint256)',
  'function gameAtIndex(uint256 _index) view returns (uint32 gameType_, uint64 timestamp_, address proxy_)',
  'function games(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) view returns (address proxy_, uint64 timestamp_)',
  'event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim)',
  'error GameAlreadyExists(bytes32 uuid)',
  'error NoImplementation(uint32 gameType)',
  'error IncorrectBondAmount()',
])

const gameAbi = parseAbi([
  'function rootClaim() pure returns (bytes32)',
  'function l2BlockNumber() pure returns (uint256)',
  'function status() view returns (uint8)',
  'function createdAt() view returns (uint64)',
  'function resolvedAt() view returns (uint64)',
  'function claimDataLen() view returns (uint256)',
  'function claimData(uint256) view returns (uint32 parentIndex, address counteredBy, address claimant, uint128 bond, bytes32 claim, uint128 position, uint128 clock)',
])

/** `GameStatus` names, by value. */
export const GAME_STATUS = ['IN_PROGRESS', 'CHALLENGER_WINS', 'DEFENDER_WINS'] as const

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
  const value = await l1.readContract({ address: p.factory, abi: factoryAbi, functionName: 'initBonds', args: [p.gameType] })
  const extraData = encodeAbiParameters([{ type: 'uint256' }], [p.l2Block])
  const args = [p.gameType, p.root, extraData] as const
  if (p.reuse) {
    const [existing] = await l1.readContract({ address: p.factory, abi: factoryAbi, functionName: 'games', args })
    if (existing !== zeroAddress) return { game: existing }
  }
  const { request } = await l1.simulateContract({ account: wallet.account, address: p.factory, abi: factoryAbi, functionName: 'create', args, value })
  const txHash = await wallet.writeContract({ ...request, chain: null })
  const receipt = await l1.waitForTransactionReceipt({ hash: txHash, timeout: 60_000 })
  const [created] = parseEventLogs({ abi: factoryAbi, logs: receipt.logs, eventName: 'DisputeGameCreated' })
  if (receipt.status !== 'success' || !created) throw new Error(`DisputeGameFactory.create reverted (${txHash})`)
  return { game: created.args.disputeProxy, txHash }
}

/**
 * Every game of the factory from index `from` on, as L1 sees it now (without `t` and `honestRoot`).
 * @example
 * const games = await readGames(l1Rpc, factory)
 */
export async function readGames(l1Rpc: string, factory: Address, from = 0): Promise<Array<Omit<GameSample, 't' | 'honestRoot'>>> {
  const l1 = createPublicClient({ transport: http(l1Rpc, { timeout: 5_000 }) })
  const count = Number(await l1.readContract({ address: factory, abi: factoryAbi, functionName: 'gameCount' }))
  const out: Array<Omit<GameSample, 't' | 'honestRoot'>> = []
  for (let index = from; index < count; index++) {
    const [gameType, , address] = await l1.readContract({ address: factory, abi: factoryAbi, functionName: 'gameAtIndex', args: [BigInt(index)] })
    const read = <F extends 'rootClaim' | 'l2BlockNumber' | 'status' | 'createdAt' | 'resolvedAt' | 'claimDataLen'>(functionName: F) => l1.readContract({ address, abi: gameAbi, functionName })
    const [rootClaim, l2Block, status, createdAt, resolvedAt, claims] = await Promise.all([read('rootClaim'), read('l2BlockNumber'), read('status'), read('createdAt'), read('resolvedAt'), read('claimDataLen')])
    const [, counteredBy] = await l1.readContract({ address, abi: gameAbi, functionName: 'claimData', args: [0n] })
    out.push({
      index,
      address,
      gameType,
      l2Block: Number(l2Block),
      rootClaim,
      status: GAME_STATUS[status] ?? 'IN_PROGRESS',
      createdAt: Number(createdAt),
      ...(resolvedAt ? { resolvedAt: Number(resolvedAt) } : {}),
      claims: Number(claims),
      rootCountered: Number(claims) > 1 || counteredBy !== '0x0000000000000000000000000000000000000000',
    })
  }
  return out
}
