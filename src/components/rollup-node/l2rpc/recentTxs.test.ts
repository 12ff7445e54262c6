import { describe, expect, test } from 'vitest'
import { keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { RecentTransactions } from './recentTxs.js'

// anvil's first dev key (public test mnemonic).
const signer = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')

describe('RecentTransactions', () => {
  test('default: pending JSON of an accepted transaction until it expires', async () => {
    const raw = await signer.signTransaction({ chainId: 901, type: 'legacy', to: signer.address, value: 1n, gas: 21_000n, gasPrice: 3n, nonce: 4 })
    const recent = new RecentTransactions(1000)
    recent.add(raw, 0)
    expect(await recent.pending(keccak256(raw).toUpperCase().replace('0X', '0x'), 500)).toMatchObject({
      hash: keccak256(raw), from: signer.address.toLowerCase(), type: '0x0', gasPrice: '0x3', nonce: '0x4', blockNumber: null, chainId: '0x385',
    })
    expect(await recent.pending(keccak256(raw), 1001)).toBeNull()
    expect(await recent.pending(keccak256(raw), 500)).toBeNull()
    expect(await recent.pending(`0x${'00'.repeat(32)}`)).toBeNull()
    expect(await recent.pending(7)).toBeNull()
  })

  test('behavior: the oldest entries go beyond the size limit', async () => {
    const recent = new RecentTransactions(60_000, 2)
    const raws = await Promise.all([0, 1, 2].map((nonce) => signer.signTransaction({ chainId: 901, to: signer.address, gas: 21_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, nonce })))
    for (const raw of raws) recent.add(raw, 0)
    expect(await recent.pending(keccak256(raws[0]), 0)).toBeNull()
    expect(await recent.pending(keccak256(raws[2]), 0)).toMatchObject({ nonce: '0x2', type: '0x2' })
  })
})
