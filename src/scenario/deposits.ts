/**
 * User deposits from a scenario: sending one through the portal (`deposit` steps), sending them as
 * background load (`load` with `tx: deposits`) and
 * reading the deposits L1 holds (the recorder). The L2 transaction hash of a deposit comes from its
 * `TransactionDeposited` log, as the rollup node derives it.
 */
import { createWalletClient, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { walletActionsL1 } from 'viem/op-stack'
import type { Devnet } from '../devnet/started.js'
import { TRANSACTION_DEPOSITED_TOPIC } from '../protocol/constants.js'
import { depositFromLog, depositTxHash, encodeDepositTx } from '../protocol/deposit.js'
import { call } from '../faults/context.js'
import { trafficPlan, waitOrAbort } from './traffic.js'

/** A deposit as L1 holds it. */
export interface DepositOnL1 {
  l1: { number: number; hash: Hex }
  logIndex: number
  /** The L2 deposit transaction's hash. */
  l2Hash: Hex
}

interface RpcLog {
  address: Address
  topics: Hex[]
  data: Hex
  blockHash: Hex
  blockNumber: Hex
  logIndex: Hex
}

/** Gas the deposits made here ask for on L2: a plain ETH transfer's, with room for a contract recipient. */
const DEPOSIT_GAS = 100_000n
/**
 * L1 gas of the portal call (about 160k with the L2 gas it buys). Not estimated: the portal burns gas by
 * the L1 base fee of the block that includes it, which differs from the one it was estimated on, so an
 * estimate can run out of gas (seen under deposit load).
 */
const PORTAL_GAS = 500_000n

/**
 * The dev account deposits are sent from on L1: `deposit` steps use the one before the last (the last
 * sends L2 load), deposit load the one before that, so the two never race for a nonce.
 */
export function depositAccount(devnet: Devnet, use: 'step' | 'load' = 'step') {
  const accounts = devnet.keys.accounts
  return privateKeyToAccount(accounts[accounts.length - (use === 'step' ? 2 : 3)].privateKey)
}

/** The portal's `TransactionDeposited` logs of L1 blocks `from..to` (as L1 holds them now), in log order. */
export async function depositsOnL1(devnet: Devnet, from: number, to: number): Promise<DepositOnL1[]> {
  const portal = devnet.contracts.l1.OptimismPortalProxy
  const logs = await call<RpcLog[]>(devnet.endpoints.l1.rpc, 'eth_getLogs', [
    { address: portal, topics: [TRANSACTION_DEPOSITED_TOPIC], fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` },
  ])
  return logs.map((log) => {
    const logIndex = Number(log.logIndex)
    return {
      l1: { number: Number(log.blockNumber), hash: log.blockHash },
      logIndex,
      l2Hash: depositTxHash(encodeDepositTx(depositFromLog({ ...log, logIndex }))),
    }
  })
}

/**
 * Deposits `mint` wei to `to` (default: the sender) through the portal from {@link depositAccount} and
 * waits for the L1 receipt; resolves with the deposit as L1 holds it.
 * @throws if the L1 transaction reverts or is not mined within `timeoutMs`.
 */
export async function sendDeposit(devnet: Devnet, options: { mint: bigint; to?: Address; timeoutMs?: number }): Promise<DepositOnL1> {
  const account = depositAccount(devnet)
  const wallet = createWalletClient({ account, chain: devnet.chains.l1, transport: http(devnet.endpoints.l1.rpc) }).extend(walletActionsL1())
  const hash = await wallet.depositTransaction({
    account,
    request: { gas: DEPOSIT_GAS, mint: options.mint, to: options.to ?? account.address },
    targetChain: devnet.chains.l2,
    gas: PORTAL_GAS,
  })
  const receipt = await devnet.l1.waitForTransactionReceipt({ hash, timeout: options.timeoutMs ?? 30_000 })
  if (receipt.status !== 'success') throw new Error(`deposit ${hash} reverted on L1 (block ${receipt.blockNumber})`)
  const number = Number(receipt.blockNumber)
  const found = (await depositsOnL1(devnet, number, number)).find((d) => d.l1.hash === receipt.blockHash && receipt.logs.some((l) => l.logIndex === d.logIndex))
  if (!found) throw new Error(`deposit ${hash}: no TransactionDeposited log in its L1 block ${number} (reorged away?)`)
  return found
}

/** Where `node`'s chain holds the L2 transaction `l2Hash`, or `null` (not on its chain); throws if the node does not answer. */
export async function l2BlockOf(devnet: Devnet, node: string, l2Hash: Hex, timeoutMs = 3000): Promise<{ number: number; hash: Hex } | null> {
  const receipt = await call<{ blockNumber: Hex; blockHash: Hex } | null>(devnet.endpoints[node].el, 'eth_getTransactionReceipt', [l2Hash], timeoutMs)
  return receipt ? { number: Number(receipt.blockNumber), hash: receipt.blockHash } : null
}

export interface DepositLoadReturnType {
  sent: number
  failed: number
  /** Why the first failed deposit failed. */
  firstError?: string
  /** L1 hashes of the deposits sent, in sending order. */
  hashes: Hex[]
}

/**
 * Background deposit load: the times and amounts of {@link trafficPlan} for `seed` (every planned tx a
 * deposit of its value, at least 1 wei, to its recipient), sent through the portal from
 * {@link depositAccount} (`load`) without waiting for receipts. The recorder finds them on L1 and follows them on L2.
 */
export async function sendDepositLoad(devnet: Devnet, seed: number, options: { rate: number; durationMs: number; signal?: AbortSignal }): Promise<DepositLoadReturnType> {
  const account = depositAccount(devnet, 'load')
  const wallet = createWalletClient({ account, chain: devnet.chains.l1, transport: http(devnet.endpoints.l1.rpc) }).extend(walletActionsL1())
  const plan = trafficPlan(seed, { ...options, recipients: devnet.keys.accounts.slice(0, -3).map((a) => a.address) })
  const started = Date.now()
  const out: DepositLoadReturnType = { sent: 0, failed: 0, hashes: [] }
  for (const tx of plan) {
    await waitOrAbort(started + tx.atMs - Date.now(), options.signal)
    if (options.signal?.aborted) break
    try {
      const mint = tx.value > 0n ? tx.value : 1n
      out.hashes.push(await wallet.depositTransaction({ account, request: { gas: DEPOSIT_GAS, mint, to: tx.to }, targetChain: devnet.chains.l2, gas: PORTAL_GAS }))
      out.sent++
    } catch (error) {
      out.failed++
      out.firstError ??= error instanceof Error ? error.message : String(error)
    }
  }
  return out
}
