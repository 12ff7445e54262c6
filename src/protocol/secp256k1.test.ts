import { hexToBytes, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { expect, test } from 'vitest'
import { addressOfPublicKey, publicKeyOf, uncompressedKey } from './secp256k1.js'

test('behavior: public keys and addresses are viem’s, from either form of the public key', () => {
  for (let i = 0; i < 5; i++) {
    const key: Hex = generatePrivateKey()
    const viem = privateKeyToAccount(key)
    const uncompressed = publicKeyOf(hexToBytes(key), 'uncompressed')
    const compressed = publicKeyOf(hexToBytes(key), 'compressed')
    expect(`0x${uncompressed.toString('hex')}`).toBe(viem.publicKey)
    expect(uncompressedKey(compressed)).toEqual(uncompressed)
    expect(addressOfPublicKey(compressed)).toBe(viem.address)
    expect(addressOfPublicKey(uncompressed)).toBe(viem.address)
  }
})

test('error: a public key that is not a point of the curve, or of the wrong length, is refused', () => {
  const good = publicKeyOf(hexToBytes(generatePrivateKey()), 'uncompressed')
  const offCurve = Uint8Array.from(good)
  offCurve[64] ^= 1
  expect(() => uncompressedKey(offCurve)).toThrow()
  expect(() => uncompressedKey(good.subarray(1))).toThrow()
  expect(() => addressOfPublicKey(new Uint8Array(33))).toThrow()
  expect(() => publicKeyOf(new Uint8Array(32), 'compressed')).toThrow()
})
