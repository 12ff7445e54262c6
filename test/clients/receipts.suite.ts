/**
 * OP receipt fields: every non-deposit receipt carries `l1Fee`, `l1GasPrice`, `l1GasUsed`,
 * `l1BaseFeeScalar`, `l1BlobBaseFee`, `l1BlobBaseFeeScalar` (hex), equal to what anvil charged: the
 * L1FeeVault credit of the block and the sender's balance change beyond `gasUsed * effectiveGasPrice`,
 * and GasPriceOracle's `getL1Fee` at the transaction's block.
 */
import { randomBytes } from 'node:crypto'
import { createWalletClient, http, keccak256, parseAbi, serializeTransaction, toHex, type Hex, type TransactionSerializable } from 'viem'
import { describe, expect, test } from 'vitest'
import { GAS_PRICE_ORACLE_ADDRESS, L1_FEE_VAULT_ADDRESS } from '../../src/protocol/constants.js'
import { rpc, waitFor } from '../helpers.js'
import type { ClientContext } from './context.js'

const FIELDS = ['l1Fee', 'l1GasPrice', 'l1GasUsed', 'l1BaseFeeScalar', 'l1BlobBaseFee', 'l1BlobBaseFeeScalar']
const gasPriceOracleAbi = parseAbi(['function getL1Fee(bytes) view returns (uint256)'])
const hex = (n: bigint) => `0x${n.toString(16)}`

export function receiptSuite(get: () => ClientContext): void {
  describe('receipts', () => {
    test('behavior: l1Fee equals the L1FeeVault credit and the sender balance change, small and large transactions', async () => {
      const { devnet, account, el, replicaEl } = get()
      const l2 = devnet.l2()
      const wallet = createWalletClient({ account, chain: l2.chain, transport: http(el) })
      // A plain transfer (below the 100-byte floor) and 4 kB of incompressible calldata (priced by FastLZ size).
      for (const data of ['0x', toHex(randomBytes(4000))] as Hex[]) {
        const hash = await wallet.sendTransaction({ to: account.address, value: 0n, data })
        const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 30_000 })
        const n = receipt.blockNumber
        const raw = await rpc(el, 'eth_getTransactionReceipt', [hash])
        for (const f of FIELDS) expect(raw[f], f).toMatch(/^0x[0-9a-f]+$/)
        const all = await rpc(el, 'eth_getBlockReceipts', [hex(n)])
        const users = all.filter((r: { type: Hex }) => Number(r.type) !== 0x7e)
        expect(all.find((r: { transactionHash: Hex }) => r.transactionHash === hash)).toEqual(raw)
        const [v0, v1, b0, b1] = await Promise.all([
          l2.getBalance({ address: L1_FEE_VAULT_ADDRESS, blockNumber: n - 1n }),
          l2.getBalance({ address: L1_FEE_VAULT_ADDRESS, blockNumber: n }),
          l2.getBalance({ address: account.address, blockNumber: n - 1n }),
          l2.getBalance({ address: account.address, blockNumber: n }),
        ])
        expect(v1 - v0).toBe(users.reduce((s: bigint, r: { l1Fee: Hex }) => s + BigInt(r.l1Fee), 0n))
        const mine = users.filter((r: { from: string }) => r.from.toLowerCase() === account.address.toLowerCase())
        const paid = mine.reduce((s: bigint, r: { l1Fee: Hex; gasUsed: Hex; effectiveGasPrice: Hex }) => s + BigInt(r.l1Fee) + BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice), 0n)
        expect(b0 - b1).toBe(paid)
        expect(BigInt(raw.l1Fee)).toBeGreaterThan(0n)
        if (data.length > 2) expect(BigInt(raw.l1GasUsed)).toBeGreaterThan(1600n)
        else expect(BigInt(raw.l1GasUsed)).toBe(1600n)
        // Every node derives the same fields.
        expect(await waitFor('the replica has the receipt', () => rpc(replicaEl, 'eth_getTransactionReceipt', [hash]))).toEqual(raw)
      }
    })

    test('behavior: a transaction just sent is known at once: pending (null block) until its block, then mined', async () => {
      const { devnet, account, el } = get()
      const wallet = createWalletClient({ account, chain: devnet.l2().chain, transport: http(el) })
      const raw = await wallet.signTransaction(await wallet.prepareTransactionRequest({ to: account.address, value: 1n }))
      const hash: Hex = await rpc(el, 'eth_sendRawTransaction', [raw])
      const tx = await rpc(el, 'eth_getTransactionByHash', [hash])
      expect(tx).toMatchObject({ hash, from: account.address.toLowerCase(), value: '0x1' })
      await devnet.l2().waitForTransactionReceipt({ hash, timeout: 30_000 })
      expect((await rpc(el, 'eth_getTransactionByHash', [hash])).blockNumber).toMatch(/^0x[0-9a-f]+$/)
    })

    test('behavior: deposit receipts carry no L1 fee fields', async () => {
      const { el } = get()
      const block = await rpc(el, 'eth_getBlockByNumber', ['latest', false])
      const receipt = await rpc(el, 'eth_getTransactionReceipt', [block.transactions[0]])
      expect(receipt.type).toBe('0x7e')
      for (const f of FIELDS) expect(receipt).not.toHaveProperty(f)
      expect(receipt.depositNonce).toBeDefined()
    })

    test('behavior: raw deposits are served (anvil alone exits when asked), for both raw-transaction methods', async () => {
      const { el } = get()
      const block = await rpc(el, 'eth_getBlockByNumber', ['latest', false])
      for (const method of ['eth_getRawTransactionByHash', 'debug_getRawTransaction']) {
        const raw: Hex = await rpc(el, method, [block.transactions[0]])
        expect(raw.startsWith('0x7e')).toBe(true)
        expect(keccak256(raw)).toBe(block.transactions[0])
      }
      expect(await rpc(el, 'eth_getRawTransactionByHash', [`0x${'ab'.repeat(32)}`])).toBeNull()
      expect(await rpc(el, 'eth_chainId')).toMatch(/^0x/)
    })

    test('behavior: l1Fee equals GasPriceOracle.getL1Fee of the transaction at its block', async () => {
      const { devnet, account, el } = get()
      const l2 = devnet.l2()
      const wallet = createWalletClient({ account, chain: l2.chain, transport: http(el) })
      // GasPriceOracle (Fjord) prices the unsigned transaction plus 68 bytes for the signature; the node
      // prices the signed one. Below the 100-byte floor both are the floor, so they agree to the wei; for
      // 4 kB of incompressible calldata the two compressed sizes differ by a few bytes at most.
      for (const data of ['0x', toHex(randomBytes(4000))] as Hex[]) {
        const request = await wallet.prepareTransactionRequest({ to: account.address, value: 0n, data })
        const hash = await wallet.sendTransaction(request)
        const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 30_000 })
        const charged = BigInt((await rpc(el, 'eth_getTransactionReceipt', [hash])).l1Fee)
        const unsigned = serializeTransaction({ ...request, chainId: l2.chain.id, type: 'eip1559' } as TransactionSerializable)
        const oracle = await l2.readContract({ address: GAS_PRICE_ORACLE_ADDRESS, abi: gasPriceOracleAbi, functionName: 'getL1Fee', args: [unsigned], blockNumber: receipt.blockNumber })
        if (data === '0x') expect(oracle).toBe(charged)
        else expect(Number(oracle > charged ? oracle - charged : charged - oracle) / Number(charged)).toBeLessThan(0.01)
      }
    })
  })
}
