/**
 * `eth_call` / `eth_estimateGas` as op-geth answers them. anvil in optimism mode charges the L1 data fee
 * inside calls, so a call from an account that cannot pay it (or with no `from`: the zero address) fails
 * with "Insufficient funds for gas * price + value" as soon as L1Block holds a non-zero L1 base fee;
 * op-geth does not charge the L1 fee in calls. Such a call (without fee fields, whose caller can pay its
 * `value`) is retried with a state override that tops the caller's balance up by 1 ETH for that call only.
 */
import type { Address, Hex } from 'viem'
import { RpcError, type RpcClient } from '../shared/jsonrpc.js'

const ZERO: Address = '0x0000000000000000000000000000000000000000'
const TOP_UP = 10n ** 18n

interface CallRequest {
  from?: Address
  value?: Hex
  gasPrice?: Hex
  maxFeePerGas?: Hex
}

/** Forwards `method` (`eth_call` or `eth_estimateGas`) to the engine, retrying as described above. */
export async function callWithoutL1Fee(engine: RpcClient, method: string, params: unknown[]): Promise<unknown> {
  try {
    return await engine.call(method, params)
  } catch (err) {
    const [tx, tag = 'latest', overrides = {}] = params as [CallRequest | undefined, unknown, Record<string, { balance?: Hex }> | undefined]
    if (!(err instanceof RpcError) || !/insufficient funds/i.test(err.message) || !tx || tx.gasPrice || tx.maxFeePerGas) throw err
    const caller = (tx.from ?? ZERO).toLowerCase()
    if (Object.keys(overrides ?? {}).some((a) => a.toLowerCase() === caller)) throw err
    const balance = BigInt(await engine.call<Hex>('eth_getBalance', [caller, tag]))
    if (balance < BigInt(tx.value ?? 0)) throw err
    return engine.call(method, [tx, tag, { ...overrides, [caller]: { balance: `0x${(balance + TOP_UP).toString(16)}` } }])
  }
}
