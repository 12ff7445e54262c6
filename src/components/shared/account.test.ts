import { parseEther, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { expect, test } from 'vitest'
import { addressOfKey } from '../../protocol/secp256k1.js'
import { lazyAccount } from './account.js'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const hex32 = (n: bigint): Hex => `0x${n.toString(16).padStart(64, '0')}`
const keys: Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', // anvil's first dev key
  hex32(1n),
  hex32(N - 1n),
  ...Array.from({ length: 5 }, () => generatePrivateKey()),
]

test('behavior: the address is viem’s for the same key, from the generator’s edges to random keys', () => {
  for (const key of keys) {
    expect(addressOfKey(key)).toBe(privateKeyToAccount(key).address)
    expect(lazyAccount(key).address).toBe(privateKeyToAccount(key).address)
  }
})

test('behavior: every signature is the one viem’s account makes (deterministic nonces, same bytes)', async () => {
  const key = keys[3]
  const viem = privateKeyToAccount(key)
  const lazy = lazyAccount(key)
  expect(lazy.type).toBe('local')
  const tx = { chainId: 900, nonce: 3, to: viem.address, value: parseEther('1'), gas: 21_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, type: 'eip1559' } as const
  expect(await lazy.signTransaction(tx)).toBe(await viem.signTransaction(tx))
  expect(await lazy.signMessage({ message: 'op-devnet' })).toBe(await viem.signMessage({ message: 'op-devnet' }))
  expect(await lazy.sign!({ hash: `0x${'11'.repeat(32)}` })).toBe(await viem.sign({ hash: `0x${'11'.repeat(32)}` }))
  const typed = { domain: { name: 'd', chainId: 900 }, types: { M: [{ name: 'x', type: 'uint256' }] }, primaryType: 'M', message: { x: 1n } } as const
  expect(await lazy.signTypedData(typed)).toBe(await viem.signTypedData(typed))
})

test('error: a key outside [1, n-1] or not 32 bytes is refused, by OpenSSL and then as viem refuses it', () => {
  for (const bad of [hex32(0n), hex32(N), '0x1234' as Hex, `0x${'zz'.repeat(32)}` as Hex]) {
    expect(() => addressOfKey(bad), bad).toThrow()
    const viemError = (() => {
      try {
        privateKeyToAccount(bad)
        return undefined
      } catch (err) {
        return (err as Error).message
      }
    })()
    if (viemError === undefined) expect(lazyAccount(bad).address).toBe(privateKeyToAccount(bad).address)
    else expect(() => lazyAccount(bad)).toThrow(viemError)
  }
})
