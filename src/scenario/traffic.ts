/**
 * The `load` step: transactions sent from a dev account to a node's L2 RPC or to proxyd: transfers, or
 * withdrawals initiated on L2 (`L2ToL1MessagePasser.initiateWithdrawal`). What is sent and when is a pure
 * function of the seed ({@link trafficPlan}); sending follows the plan. Every call can be reported
 * (`onCall`) for the history, and once everything is sent the load checks that each accepted transaction landed.
 */
import { encodeFunctionData, keccak256, parseAbi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { ClientCall } from '../devnet/history.js'
import type { Devnet } from '../devnet/started.js'
import { jsonRpc } from '../runtime/jsonrpc.js'
import { L2_TO_L1_MESSAGE_PASSER_ADDRESS } from '../protocol/constants.js'
import { seededRandom } from './random.js'

/** One planned transaction. */
export interface PlannedTx {
  /** When to send it, ms after the load starts. */
  atMs: number
  kind: 'transfer' | 'calldata'
  to: Address
  value: bigint
  data: Hex
}

/**
 * The transactions of a load of `rate` tx/s over `durationMs`: Poisson arrivals (exponential gaps of
 * mean `1000 / rate` ms); three in four are ETH transfers of 1-1000 wei to one of `recipients`, the rest
 * carry 1-256 bytes of calldata to the first recipient.
 * @example
 * trafficPlan(7, { rate: 5, durationMs: 10_000, recipients: [a, b] }) // the same list for seed 7, every time
 */
export function trafficPlan(seed: number, options: { rate: number; durationMs: number; recipients: Address[] }): PlannedTx[] {
  const random = seededRandom(seed)
  const txs: PlannedTx[] = []
  const pick = (n: number) => Math.floor(random() * n)
  for (let t = -Math.log(1 - random()) * (1000 / options.rate); t < options.durationMs; t += -Math.log(1 - random()) * (1000 / options.rate)) {
    if (random() < 0.75) {
      txs.push({ atMs: Math.round(t), kind: 'transfer', to: options.recipients[pick(options.recipients.length)], value: BigInt(1 + pick(1000)), data: '0x' })
    } else {
      const bytes = Array.from({ length: 1 + pick(256) }, () => pick(256).toString(16).padStart(2, '0'))
      txs.push({ atMs: Math.round(t), kind: 'calldata', to: options.recipients[0], value: 0n, data: `0x${bytes.join('')}` })
    }
  }
  return txs
}

/**
 * Gas of a plain call carrying `data`: 21000 plus the calldata floor of EIP-7623 (Prague / Isthmus), 10
 * per token with a zero byte 1 token and a non-zero byte 4, which is above the pre-Prague 4 / 16 per byte.
 */
export function intrinsicGas(data: Hex): bigint {
  let gas = 21_000n
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === '00' ? 10n : 40n
  return gas
}

const messagePasserAbi = parseAbi(['function initiateWithdrawal(address _target, uint256 _gasLimit, bytes _data) payable'])

/** L2 gas of a withdrawal's execution on L1 (`_gasLimit`): a plain call's, with room for calldata. */
const WITHDRAWAL_L1_GAS = 100_000n
/** Gas of `initiateWithdrawal` beyond the intrinsic gas (two new storage slots, hashing, the event: ~60k). */
const INITIATE_GAS = 100_000n

/**
 * The L2 transaction of a planned one: as planned, or with `withdrawals` a withdrawal of its value (at
 * least 1 wei) to its recipient on L1, carrying its calldata, through the L2ToL1MessagePasser.
 */
export function plannedCall(tx: PlannedTx, withdrawals = false): { to: Address; value: bigint; data: Hex; gas: bigint } {
  if (!withdrawals) return { to: tx.to, value: tx.value, data: tx.data, gas: intrinsicGas(tx.data) }
  const data = encodeFunctionData({ abi: messagePasserAbi, functionName: 'initiateWithdrawal', args: [tx.to, WITHDRAWAL_L1_GAS, tx.data] })
  return { to: L2_TO_L1_MESSAGE_PASSER_ADDRESS, value: tx.value > 0n ? tx.value : 1n, data, gas: intrinsicGas(data) + INITIATE_GAS }
}

export interface SendTrafficReturnType {
  sent: number
  failed: number
  /** Sends that were rejected and tried again (a healthy devnet needs none). */
  retried: number
  /** Why the first rejected transaction was rejected. */
  firstError?: string
  /** Hashes of the accepted transactions, in sending order. */
  hashes: Hex[]
  /** Accepted transactions found in a block (a receipt) once the load ended. */
  landed: number
  /** Accepted transactions with no receipt within `landTimeoutMs` of the end of the load. */
  missing: Hex[]
  /** Accepted transactions sent again because the node no longer knew them (a sequencer that lost its pool). */
  rebroadcast: number
}

export interface SendTrafficOptions {
  rate: number
  durationMs: number
  /** Where to send: a node's L2 RPC, or `proxyd`. @default the sequencer */
  node?: string
  /** Called after every call with its outcome (`sentAt`: wall clock, ms). */
  onCall?: (call: Omit<ClientCall, 't'> & { sentAt: number }) => void
  /** How long after the last send accepted transactions may take to land. @default 30_000 */
  landTimeoutMs?: number
  /** `withdrawals`: each planned tx becomes a withdrawal initiated on L2 (see {@link plannedCall}). @default 'transfers' */
  tx?: 'transfers' | 'withdrawals'
  /** Once aborted, no more transactions are sent and the landing is checked once, without waiting. */
  signal?: AbortSignal
}

/** Waits `ms`, or less if `signal` aborts meanwhile. */
export function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Attempts per planned transaction (a node that is down or cut off during a fault answers again later). */
const attempts = 5
/** Timeout of the load's calls, ms; after a stop, {@link STOPPED_CALL_MS}. */
const CALL_MS = 10_000
const STOPPED_CALL_MS = 1_000
/** How often accepted, unmined transactions the node forgot are sent again, ms. */
export const REBROADCAST_MS = 5_000

/**
 * Sends the planned transactions of `seed` to `node` (default: the sequencer; `proxyd`: proxyd's RPC)
 * from the last dev account (withdrawals: the fourth from last, which no other load or step uses), each at its planned time, reading the sender's balance after each accepted
 * one (as a wallet does). A rejected one is looked up by hash and, unless a node knows it, tried again
 * with the same nonce (up to {@link attempts} times, 200 ms apart), then counted as failed; the next one
 * takes the higher of that nonce and the node's pending nonce, never the nonce of an accepted one. As a
 * wallet does, every {@link REBROADCAST_MS} it sends again the accepted transactions not yet mined that
 * the node no longer knows (op-geth, like anvil, loses its pool when it crashes). Then it waits for the
 * receipt of every accepted transaction (through the same RPC) and reports the missing.
 */
export async function sendTraffic(devnet: Devnet, seed: number, options: SendTrafficOptions): Promise<SendTrafficReturnType> {
  const target = options.node ?? devnet.topology.l2.nodes.find((n) => n.role === 'sequencer')!.name
  const url = target === 'proxyd' ? devnet.endpoints.proxyd.rpc : devnet.endpoints[target].el
  const { signal } = options
  const rpc = async <T>(method: string, params: unknown[]): Promise<T> => {
    const sentAt = Date.now()
    // A stop aborts the calls in flight: a run that failed with its node paused must not wait out their
    // timeouts (it took 28 s). Calls after it (the last landing check) get a short timeout instead.
    const stopped = signal?.aborted
    try {
      const result = await jsonRpc<T>(url, method, params, stopped ? { timeoutMs: STOPPED_CALL_MS } : { timeoutMs: CALL_MS, signal })
      options.onCall?.({ sentAt, durationMs: Date.now() - sentAt, via: target, method })
      return result
    } catch (error) {
      if (!stopped && !signal?.aborted) options.onCall?.({ sentAt, durationMs: Date.now() - sentAt, via: target, method, error: error instanceof Error ? error.message : String(error) })
      throw error
    }
  }
  const accounts = devnet.keys.accounts
  const withdrawals = options.tx === 'withdrawals'
  const account = privateKeyToAccount(accounts[accounts.length - (withdrawals ? 4 : 1)].privateKey)
  const plan = trafficPlan(seed, { ...options, recipients: accounts.slice(0, -1).map((a) => a.address) })
  const nonceNow = async () => Number(await rpc<Hex>('eth_getTransactionCount', [account.address, 'pending']))
  let nonce = await nonceNow()
  const started = Date.now()
  const out: SendTrafficReturnType = { sent: 0, failed: 0, retried: 0, hashes: [], landed: 0, missing: [], rebroadcast: 0 }
  /** Accepted transactions not yet seen mined, in nonce order (a wallet's pending list). */
  const pending: Array<{ nonce: number; hash: Hex; raw: Hex }> = []
  let lastRebroadcast = Date.now()
  const rebroadcast = async () => {
    lastRebroadcast = Date.now()
    const mined = Number(await rpc<Hex>('eth_getTransactionCount', [account.address, 'latest']))
    while (pending.length && pending[0].nonce < mined) pending.shift()
    for (const p of pending) {
      // null: the node does not know it. A node that does not answer stops the round (it may be paused).
      if ((await rpc<unknown>('eth_getTransactionByHash', [p.hash])) !== null) continue
      // Not recorded as a client call: "nonce too low" (mined meanwhile, seen late through a lagging
      // backend) or "already known" are the expected answers of a rebroadcast, not an unavailable RPC.
      await jsonRpc(url, 'eth_sendRawTransaction', [p.raw], { timeoutMs: CALL_MS, signal }).catch(() => {})
      out.rebroadcast++
    }
  }
  const maybeRebroadcast = () => (Date.now() - lastRebroadcast >= REBROADCAST_MS ? rebroadcast().catch(() => {}) : undefined)
  for (const tx of plan) {
    await waitOrAbort(started + tx.atMs - Date.now(), signal)
    if (signal?.aborted) break
    await maybeRebroadcast()
    const raw = await account.signTransaction({
      chainId: devnet.topology.l2.chainId,
      ...plannedCall(tx, withdrawals),
      nonce,
      maxFeePerGas: 10_000_000_000n,
      maxPriorityFeePerGas: 1_000n,
    })
    const hash = keccak256(raw)
    for (let attempt = 1; ; attempt++) {
      try {
        // A send that failed may still have reached a sequencer (one that crashed after taking it, a
        // forward that timed out): as a wallet does, look the transaction up before sending it again.
        const known = attempt > 1 && (await rpc<unknown>('eth_getTransactionByHash', [hash]).catch(() => null))
        out.hashes.push(known ? hash : await rpc<Hex>('eth_sendRawTransaction', [raw]))
        pending.push({ nonce, hash, raw })
        nonce++
        out.sent++
        // As a wallet does after sending: refresh the sender's balance (a read the node or proxyd serves).
        await rpc('eth_getBalance', [account.address, 'latest']).catch(() => {})
        break
      } catch (error) {
        if (attempt < attempts && !signal?.aborted) {
          out.retried++
          out.firstError ??= error instanceof Error ? error.message : String(error)
          await new Promise((r) => setTimeout(r, 200))
          continue
        }
        out.firstError ??= error instanceof Error ? error.message : String(error)
        out.failed++
        // It may have reached the pool after all (then the node's pending nonce is past it).
        nonce = Math.max(nonce, await nonceNow().catch(() => nonce))
        break
      }
    }
  }
  const landTimeoutMs = signal?.aborted ? 0 : (options.landTimeoutMs ?? 30_000)
  out.missing = await unlanded(out.hashes, (hash) => rpc<unknown>('eth_getTransactionReceipt', [hash]).catch(() => null), landTimeoutMs, maybeRebroadcast)
  out.landed = out.hashes.length - out.missing.length
  return out
}

/** The hashes still without a receipt after `timeoutMs`, asked every 500 ms (`between` runs between rounds). */
async function unlanded(hashes: Hex[], receipt: (hash: Hex) => Promise<unknown>, timeoutMs: number, between: () => unknown): Promise<Hex[]> {
  let missing = hashes
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await Promise.all(missing.map(receipt))
    missing = missing.filter((_, i) => !found[i])
    if (!missing.length || Date.now() > deadline) return missing
    await between()
    await new Promise((r) => setTimeout(r, 500))
  }
}
