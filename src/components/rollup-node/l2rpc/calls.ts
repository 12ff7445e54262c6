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
 * - `eth_createAccessList` takes no state overrides in anvil (and running it as a deposit still fails:
 *   measured), so it is built from `debug_traceCall` with the same override ({@link createAccessList}).
 */
import type { Address, Hex } from 'viem'
import { L1_BLOCK_ADDRESS } from '../../../protocol/constants.js'
import { L1_BLOCK_FEE_SLOTS, l1FeeFjordFloor, l1FeeParamsFromStorage } from '../../../protocol/l1Fee.js'
import type { RpcClient } from '../../shared/jsonrpc.js'

const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000'

type Overrides = Record<string, { balance?: Hex; state?: Record<string, Hex>; stateDiff?: Record<string, Hex>; [k: string]: unknown }>

export function isObject(v: unknown): v is Record<string, unknown> {
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

/** Addresses geth's access-list tracer leaves out unless their storage is read: precompiles (and the fee vaults, touched by fee payment, not by the EVM). */
const NOT_LISTED = new Set([
  ...Array.from({ length: 0x11 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`),
  '0x0000000000000000000000000000000000000100',
  ...['11', '19', '1a', '1b'].map((v) => `0x42000000000000000000000000000000000000${v}`),
])

/**
 * `eth_createAccessList` as op-geth answers it (`{ accessList, gasUsed, error? }`), built from anvil's
 * `debug_traceCall`, which takes state overrides: the `prestateTracer` gives the accounts and slots the
 * call touches (sender, recipient without storage, precompiles and fee vaults left out, as geth's
 * tracer does), and the `callTracer` the gas used with that access list.
 */
export async function createAccessList(engine: RpcClient, params: unknown[]): Promise<unknown> {
  const [tx, block = 'latest'] = params
  if (!isObject(tx)) return engine.call('eth_createAccessList', params)
  const [, , overrides] = await withoutL1Charge(engine, [tx, block])
  const options = overrides ? { stateOverrides: overrides } : {}
  const touched = await engine.call<Record<string, { storage?: Record<string, Hex> }>>('debug_traceCall', [tx, block, { tracer: 'prestateTracer', ...options }])
  const skip = new Set([...NOT_LISTED, (typeof tx.from === 'string' ? tx.from : ZERO_ADDRESS).toLowerCase(), String(tx.to ?? '').toLowerCase()])
  const accessList = Object.entries(touched)
    .map(([address, account]) => ({ address: address as Address, storageKeys: Object.keys(account.storage ?? {}) as Hex[] }))
    .filter((entry) => entry.storageKeys.length > 0 || !skip.has(entry.address.toLowerCase()))
  const trace = await engine.call<{ gasUsed: Hex; error?: string }>('debug_traceCall', [{ ...tx, accessList }, block, { tracer: 'callTracer', ...options }])
  return { accessList, gasUsed: trace.gasUsed, ...(trace.error ? { error: trace.error } : {}) }
}
