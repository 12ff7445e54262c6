/**
 * A pending transaction as op-geth's `newPendingTransactions` (full) and `eth_getTransactionByHash` write
 * one before inclusion: the signed fields, the recovered sender, and null block fields. `gasPrice` of
 * fee-market transactions is their fee cap (the price before a block fixes the base fee).
 */
import { keccak256, parseTransaction, recoverTransactionAddress, type Hex } from 'viem'

const TYPES: Record<string, Hex> = { legacy: '0x0', eip2930: '0x1', eip1559: '0x2', eip4844: '0x3', eip7702: '0x4' }
const q = (v: bigint | number | undefined) => (v === undefined ? undefined : `0x${v.toString(16)}`)

/** The RPC JSON of signed transaction `raw`, not yet in a block. */
export async function pendingTransactionJson(raw: Hex): Promise<Record<string, unknown>> {
  const tx = parseTransaction(raw)
  const from = await recoverTransactionAddress({ serializedTransaction: raw as never })
  const json: Record<string, unknown> = {
    blockHash: null,
    blockNumber: null,
    transactionIndex: null,
    hash: keccak256(raw),
    type: TYPES[tx.type ?? 'legacy'],
    from: from.toLowerCase(),
    to: tx.to?.toLowerCase() ?? null,
    nonce: q(tx.nonce ?? 0),
    gas: q(tx.gas ?? 0n),
    gasPrice: q(tx.gasPrice ?? tx.maxFeePerGas ?? 0n),
    maxFeePerGas: q(tx.maxFeePerGas),
    maxPriorityFeePerGas: q(tx.maxPriorityFeePerGas),
    value: q(tx.value ?? 0n),
    input: tx.data ?? '0x',
    chainId: q(tx.chainId),
    accessList: tx.type === 'legacy' ? undefined : (tx.accessList ?? []),
    v: q(tx.v ?? (tx.yParity === undefined ? undefined : BigInt(tx.yParity))),
    r: q(tx.r === undefined ? undefined : BigInt(tx.r)),
    s: q(tx.s === undefined ? undefined : BigInt(tx.s)),
    yParity: tx.type === 'legacy' ? undefined : q(tx.yParity ?? 0),
  }
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined))
}
