/**
 * Withdrawals (L2 -> L1) on a devnet with viem's op-stack actions as their authors wrote them, plus what
 * viem 2.57 cannot do against contracts-bedrock 0.17.3: finding the game that covers a withdrawal
 * (`getGames` asks FaultDisputeGame 1.2.0 for `l2SequenceNumber()`, which it lacks; `waitToProve` and
 * `getWithdrawalStatus` go through it) is read from the factory (`games.ts`), and a game nobody disputed
 * is resolved here once its clock has run out (anyone may; the challenger normally does it).
 */
import { createPublicClient, createWalletClient, http, type Account, type Address, type Hash, type Hex, type TransactionReceipt } from 'viem'
import { getWithdrawals, publicActionsL1, publicActionsL2, walletActionsL1, walletActionsL2 } from 'viem/op-stack'
import { faultDisputeGameAbi, type GameStatus } from '../protocol/disputeGames.js'
import { readGames, viemGame, type DevnetGame } from './games.js'
import type { Devnet } from './started.js'

/** Defaults of the withdrawal helpers. */
export const withdrawalDefaults = {
  /** How long to wait for each stage (a game, its resolution, finalization). @default 60_000 */
  stageTimeoutMs: 60_000,
  /** Poll interval while waiting. @default 250 */
  pollMs: 250,
}

type Withdrawal = ReturnType<typeof getWithdrawals>[number]
type Settled = Pick<Devnet, 'l1' | 'chains' | 'contracts' | 'topology'>

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Retries `attempt` until it returns a value, at most `timeoutMs`; the last error names what it waited for. */
async function retry<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = withdrawalDefaults.stageTimeoutMs): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await attempt()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${(last as { shortMessage?: string }).shortMessage ?? last.message}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await sleep(withdrawalDefaults.pollMs)
  }
}

/**
 * The first game of the devnet's game type whose L2 block is at or past `l2Block` and that has not
 * been lost (a withdrawal made in that block can be proven against it). Waits for the proposer.
 * @example
 * const game = await waitForGame(devnet, receipt.blockNumber)
 */
export function waitForGame(devnet: Settled, l2Block: bigint | number, timeoutMs?: number): Promise<DevnetGame> {
  const type = devnet.topology.settlement.gameType
  return retry(`a ${type} game at or past L2 block ${l2Block}`, async () => {
    const games = await readGames(devnet.l1, devnet.contracts.l1.DisputeGameFactoryProxy)
    return games.find((g) => g.type === type && g.l2Block >= Number(l2Block) && g.status !== 'CHALLENGER_WINS')
  }, timeoutMs)
}

/**
 * Resolves a game once its clocks have run out: `resolveClaim(i, 0)` from the last claim to the root, then
 * `resolve()`; does nothing when the game is resolved already. Returns the game's status.
 */
export async function resolveGame(devnet: Settled, account: Account, game: Pick<DevnetGame, 'address'>, timeoutMs?: number): Promise<GameStatus> {
  const wallet = createWalletClient({ account, chain: devnet.chains.l1, transport: http() })
  const read = <T>(functionName: 'status' | 'claimDataLen') => devnet.l1.readContract({ address: game.address, abi: faultDisputeGameAbi, functionName }) as Promise<T>
  const send = async (functionName: 'resolveClaim' | 'resolve', args: readonly bigint[] = []) => {
    const hash = await wallet.writeContract({ address: game.address, abi: faultDisputeGameAbi, functionName, args } as never)
    const receipt = await devnet.l1.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`${functionName} on game ${game.address} reverted`)
  }
  // The devnet's challenger resolves games too: each transaction is retried until it lands or the game is
  // resolved by someone else (a lost race reverts with ClaimAlreadyResolved or GameNotInProgress).
  const unlessResolved = (what: string, functionName: 'resolveClaim' | 'resolve', args: readonly bigint[] = []) =>
    retry(what, async () => {
      if ((await read<number>('status')) !== 0) return true
      await send(functionName, args)
      return true
    }, timeoutMs)
  if ((await read<number>('status')) === 0) {
    const claims = await read<bigint>('claimDataLen')
    // resolveClaim reverts ClockNotExpired until the claim's clock has run out.
    for (let i = claims - 1n; i >= 0n; i--) await unlessResolved(`the clock of claim ${i} of game ${game.address} to run out`, 'resolveClaim', [i, 0n])
    await unlessResolved(`game ${game.address} to resolve`, 'resolve')
  }
  return (['IN_PROGRESS', 'CHALLENGER_WINS', 'DEFENDER_WINS'] as const)[await read<number>('status')]!
}

/** What {@link proveAndFinalize} did, for reports and benchmarks. */
export interface FinalizedWithdrawal {
  withdrawal: Withdrawal
  game: DevnetGame
  proveHash: Hash
  finalizeHash: Hash
  /** Wall-clock ms since the call started at which each stage ended. */
  at: { game: number; proven: number; resolved: number; finalized: number }
}

/**
 * Proves and finalizes on L1 the withdrawal an L2 transaction initiated: waits for a game covering its
 * block, `buildProveWithdrawal` + `proveWithdrawal`, resolves the game if nobody has, then
 * `finalizeWithdrawal` as soon as the portal's delays allow it.
 * @example
 * const receipt = await devnet.l2().waitForTransactionReceipt({ hash: await l2Wallet.initiateWithdrawal(args) })
 * await proveAndFinalize(devnet, account, receipt)
 */
export async function proveAndFinalize(devnet: Settled, account: Account, receipt: TransactionReceipt, timeoutMs?: number): Promise<FinalizedWithdrawal> {
  const t0 = Date.now()
  const [withdrawal] = getWithdrawals(receipt)
  if (!withdrawal) throw new Error(`transaction ${receipt.transactionHash} initiated no withdrawal (no MessagePassed log)`)
  const l1 = createPublicClient({ chain: devnet.chains.l1, transport: http() }).extend(publicActionsL1())
  const l2 = createPublicClient({ chain: devnet.chains.l2, transport: http() }).extend(publicActionsL2())
  const wallet = createWalletClient({ account, chain: devnet.chains.l1, transport: http() }).extend(walletActionsL1())
  const game = await waitForGame(devnet, receipt.blockNumber, timeoutMs)
  const gameAt = Date.now() - t0
  const proveArgs = await l2.buildProveWithdrawal({ account, withdrawal, game: viemGame(game) })
  const proveHash = await wallet.proveWithdrawal(proveArgs)
  await expectSuccess(l1, proveHash, 'proveWithdrawal')
  const provenAt = Date.now() - t0
  const status = await resolveGame(devnet, account, game, timeoutMs)
  if (status !== 'DEFENDER_WINS') throw new Error(`game ${game.index} (${game.address}) ended ${status}; the withdrawal cannot be finalized`)
  const resolvedAt = Date.now() - t0
  const finalizeHash = await retry('the portal to accept finalizeWithdrawal', () => wallet.finalizeWithdrawal({ targetChain: devnet.chains.l2, withdrawal }), timeoutMs)
  await expectSuccess(l1, finalizeHash, 'finalizeWithdrawal')
  return { withdrawal, game, proveHash, finalizeHash, at: { game: gameAt, proven: provenAt, resolved: resolvedAt, finalized: Date.now() - t0 } }
}

async function expectSuccess(l1: Devnet['l1'], hash: Hash, what: string): Promise<void> {
  const receipt = await l1.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`${what} (${hash}) reverted`)
}

/**
 * A whole ETH withdrawal: `initiateWithdrawal` on L2 (`buildInitiateWithdrawal`), then
 * {@link proveAndFinalize}. `account` pays on both sides.
 * @example
 * const { at } = await withdrawalRoundTrip(devnet, { account, value: parseEther('0.1') })
 */
export async function withdrawalRoundTrip(
  devnet: Settled & Pick<Devnet, 'endpoints'>,
  args: { account: Account; value: bigint; to?: Address; timeoutMs?: number },
): Promise<FinalizedWithdrawal & { initiateHash: Hex; initiatedAt: number }> {
  const t0 = Date.now()
  const l1 = createPublicClient({ chain: devnet.chains.l1, transport: http() }).extend(publicActionsL1())
  const l2 = createPublicClient({ chain: devnet.chains.l2, transport: http() })
  const l2Wallet = createWalletClient({ account: args.account, chain: devnet.chains.l2, transport: http() }).extend(walletActionsL2())
  const request = await l1.buildInitiateWithdrawal({ account: args.account, to: args.to ?? args.account.address, value: args.value })
  const initiateHash = await l2Wallet.initiateWithdrawal(request)
  const receipt = await l2.waitForTransactionReceipt({ hash: initiateHash })
  if (receipt.status !== 'success') throw new Error(`initiateWithdrawal (${initiateHash}) reverted on L2`)
  const initiatedAt = Date.now() - t0
  const done = await proveAndFinalize(devnet, args.account, receipt, args.timeoutMs)
  const shift = (ms: number) => ms + initiatedAt
  return { ...done, initiateHash, initiatedAt, at: { game: shift(done.at.game), proven: shift(done.at.proven), resolved: shift(done.at.resolved), finalized: shift(done.at.finalized) } }
}
