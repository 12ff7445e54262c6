/**
 * Receipt lookups across an unsafe reorg: the engine answers a receipt, then the receipt's block is gone
 * before its L1 attributes are read (the race a sequencer's rewind opens). A scripted engine plays the
 * two chains, since no real engine lets a test land a reorg between two calls of one lookup.
 */
import { describe, expect, test } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex } from 'viem'
import { encodeL1InfoEcotone } from '../../../protocol/l1Info.js'
import type { RpcClient } from '../../shared/jsonrpc.js'
import { ReceiptFields } from './receipts.js'

const info = {
  number: 100n, time: 1_700_000_000n, baseFee: 7n, blockHash: `0x${'11'.repeat(32)}` as Hex, sequenceNumber: 0n,
  batcherAddr: `0x${'22'.repeat(20)}` as Hex, blobBaseFee: 1n, baseFeeScalar: 1368, blobBaseFeeScalar: 810949,
  l1FeeOverhead: 0n, l1FeeScalar: 0n, operatorFeeScalar: 0, operatorFeeConstant: 0n,
}
const oldBlock = `0x${'aa'.repeat(32)}` as Hex
const newBlock = `0x${'bb'.repeat(32)}` as Hex
const txHash = `0x${'cc'.repeat(32)}` as Hex

/**
 * An engine whose receipt for `txHash` is in `receiptBlocks[i]` at the i-th call; only `newBlock` exists.
 * The raw transaction is there at every call but those listed in `rawGone` (call numbers from 0).
 */
async function engine(receiptBlocks: Array<Hex | null>, rawGone: number[] = []): Promise<RpcClient & { calls: string[] }> {
  const account = privateKeyToAccount(`0x${'01'.repeat(32)}`)
  const raw = await account.signTransaction({ chainId: 901, type: 'eip1559', to: account.address, value: 1n, gas: 21000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, nonce: 0 })
  const calls: string[] = []
  let receipt = 0
  let raws = 0
  return {
    url: 'scripted',
    calls,
    async call<T>(method: string, params: unknown[] = []): Promise<T> {
      calls.push(method)
      if (method === 'eth_getTransactionReceipt') {
        const blockHash = receiptBlocks[Math.min(receipt++, receiptBlocks.length - 1)]
        return (blockHash ? { type: '0x2', transactionHash: txHash, blockHash } : null) as T
      }
      if (method === 'eth_getBlockByHash') return (params[0] === newBlock ? { transactions: [{ type: '0x7e', input: encodeL1InfoEcotone(info) }] } : null) as T
      if (method === 'eth_getRawTransactionByHash') return (rawGone.includes(raws++) ? null : raw) as T
      throw new Error(`unexpected ${method}`)
    },
  }
}

describe('ReceiptFields.lookup', () => {
  test('default: the receipt gains the OP fee fields of its block', async () => {
    const e = await engine([newBlock])
    const r = await new ReceiptFields(e).lookup(() => e.call<Record<string, Hex>>('eth_getTransactionReceipt', [txHash]))
    expect(r?.blockHash).toBe(newBlock)
    expect(r?.l1BaseFeeScalar).toBe('0x558')
    expect(BigInt(r!.l1Fee)).toBeGreaterThan(0n)
  })

  test('behavior: a receipt whose block a reorg took away is looked up again, and found in its new block', async () => {
    const e = await engine([oldBlock, newBlock])
    const r = await new ReceiptFields(e).lookup(() => e.call<Record<string, Hex>>('eth_getTransactionReceipt', [txHash]))
    expect(r?.blockHash).toBe(newBlock)
    expect(e.calls.filter((m) => m === 'eth_getTransactionReceipt')).toHaveLength(2)
  })

  test('behavior: a transaction a reorg took out of the chain between its receipt and its raw bytes is looked up again (seen in CI: "transaction is not even-length 0x-prefixed hex")', async () => {
    const e = await engine([newBlock], [0])
    const r = await new ReceiptFields(e).lookup(() => e.call<Record<string, Hex>>('eth_getTransactionReceipt', [txHash]))
    expect(r?.blockHash).toBe(newBlock)
    expect(BigInt(r!.l1Fee)).toBeGreaterThan(0n)
    expect(e.calls.filter((m) => m === 'eth_getTransactionReceipt')).toHaveLength(2)
  })

  test('behavior: back in the pool after the reorg, the transaction has no receipt (null, not an error)', async () => {
    const e = await engine([oldBlock, null])
    expect(await new ReceiptFields(e).lookup(() => e.call('eth_getTransactionReceipt', [txHash]))).toBeNull()
  })

  test('error: a block that keeps vanishing gives null after 3 lookups; a block without its L1-info deposit is an error', async () => {
    const e = await engine([oldBlock])
    expect(await new ReceiptFields(e).lookup(() => e.call('eth_getTransactionReceipt', [txHash]))).toBeNull()
    expect(e.calls.filter((m) => m === 'eth_getTransactionReceipt')).toHaveLength(3)
    const bad: RpcClient = { url: 'scripted', call: async <T>(method: string) => (method === 'eth_getBlockByHash' ? { transactions: [{ type: '0x2', input: '0x' }] } : '0x02') as T }
    await expect(new ReceiptFields(bad).lookup(async () => ({ type: '0x2', transactionHash: txHash, blockHash: newBlock }))).rejects.toThrow(`block ${newBlock} has no L1-info deposit`)
  })
})
