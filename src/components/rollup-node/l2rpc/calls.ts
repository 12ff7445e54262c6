/**
 * op-geth call semantics for `eth_call`, `eth_estimateGas` and `eth_createAccessList` on top of anvil.
 *
 * anvil in optimism mode charges the L1 data fee inside calls: measured, every call pays the Fjord
 * fee of the 100-byte floor (`100e6 * (16 * baseFeeScalar * l1BaseFee + blobBaseFeeScalar * blobBaseFee)
 * / 1e12` from the L1Block storage at the call's block), whatever the calldata, and fails with -32003
 * "Insufficient funds for gas * price + value" when the sender (the zero address without `from`) cannot
 * pay it. op-geth charges no L1 fee in calls. So:
 * - `eth_call` / `eth_estimateGas`: the sender gets a state override of its balance plus exactly that fee,
 *   so the call runs as on op-geth (its balance as seen by the EVM is unchanged; an explicit gas price is
 *   charged and checked by anvil as op-geth does).
 * - `eth_createAccessList` takes no state overrides in anvil: without a gas price it runs as a deposit
 *   (op-revm charges deposits no L1 fee and no gas), which yields the same access list and gas; with an
 *   explicit gas price it goes to anvil as it is.
 */
import type { Address, Hex } from 'viem'
import { L1_BLOCK_ADDRESS } from '../../../protocol/constants.js'
import { L1_BLOCK_FEE_SLOTS, l1FeeFjordFloor, l1FeeParamsFromStorage } from '../../../protocol/l1Fee.js'
import type { RpcClient } from '../../shared/jsonrpc.js'

const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000'
const FEE_FIELDS = ['gasPrice', 'maxFeePerGas', 'maxPriorityFeePerGas'] as const

type Overrides = Record<string, { balance?: Hex; state?: Record<string, Hex>; stateDiff?: Record<string, Hex>; [k: string]: unknown }>

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

/** Finds `address` in an override map, case-insensitively. */
function overrideKey(overrides: Overrides, address: string): string | undefined {
  return Object.keys(overrides).find((k) => k.toLowerCase() === address.toLowerCase())
}

/** An L1Block storage word as the call will see it: the caller's override if it sets one, else the chain's. */
async function l1BlockWord(engine: RpcClient, overrides: Overrides, slot: Hex, block: unknown): Promise<Hex> {
  const key = overrideKey(overrides, L1_BLOCK_ADDRESS)
  const o = key ? overrides[key] : undefined
  const find = (m: Record<string, Hex> | undefined) => m && Object.entries(m).find(([k]) => BigInt(k) === BigInt(slot))?.[1]
  if (o?.state) return find(o.state) ?? '0x0'
  return find(o?.stateDiff) ?? engine.call<Hex>('eth_getStorageAt', [L1_BLOCK_ADDRESS, slot, block])
}

/**
 * `[tx, block, overrides]` for anvil's `eth_call` / `eth_estimateGas`: the sender's balance raised by the
 * L1 fee anvil will charge (see the module comment). Other params pass through.
 */
export async function withoutL1Charge(engine: RpcClient, params: unknown[]): Promise<unknown[]> {
  const [tx, block = 'latest', given] = params
  if (!isObject(tx)) return params
  if (given !== undefined && !isObject(given)) return params
  const overrides: Overrides = { ...((given as Overrides | undefined) ?? {}) }
  const from = typeof tx.from === 'string' ? tx.from : ZERO_ADDRESS
  const key = overrideKey(overrides, from) ?? from
  const own = overrides[key]
  const [baseFee, scalars, blobBaseFee, balance] = await Promise.all([
    l1BlockWord(engine, overrides, L1_BLOCK_FEE_SLOTS.baseFee, block),
    l1BlockWord(engine, overrides, L1_BLOCK_FEE_SLOTS.scalars, block),
    l1BlockWord(engine, overrides, L1_BLOCK_FEE_SLOTS.blobBaseFee, block),
    own?.balance !== undefined ? own.balance : engine.call<Hex>('eth_getBalance', [from, block]),
  ])
  const fee = l1FeeFjordFloor(l1FeeParamsFromStorage({ baseFee, scalars, blobBaseFee }))
  if (fee === 0n) return params
  overrides[key] = { ...own, balance: `0x${(BigInt(balance) + fee).toString(16)}` }
  return [tx, block, overrides, ...params.slice(3)]
}

/** `eth_createAccessList` params: without a gas price, the request runs as a deposit (no L1 fee, no gas charge). */
export function accessListAsDeposit(params: unknown[]): unknown[] {
  const [tx, ...rest] = params
  if (!isObject(tx) || FEE_FIELDS.some((f) => tx[f] !== undefined && tx[f] !== null) || tx.type !== undefined) return params
  return [{ ...tx, sourceHash: `0x${'00'.repeat(32)}`, mint: '0x0', isSystemTx: false }, ...rest]
}
