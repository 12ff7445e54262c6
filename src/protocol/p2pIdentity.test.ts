import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { hexToBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { p2pNodeId, p2pPeerId, p2pPrivateKey, p2pPrivateKeyFromSeed } from './p2pIdentity.js'

// EIP-778 example record: private key, compressed public key and node ID.
const EIP778_KEY = '0xb71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291'
const EIP778_PUB = '0x03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138'
const EIP778_NODE_ID = 'a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7'

describe('p2pIdentity', () => {
  it('derives a secp256k1 peer ID that matches the public-key route', () => {
    const id = p2pPeerId(EIP778_KEY)
    expect(id).toMatch(/^16Uiu2/)
    expect(id).toBe(peerIdFromPublicKey(publicKeyFromRaw(hexToBytes(EIP778_PUB))).toString())
    expect(peerIdFromString(id).type).toBe('secp256k1')
    // The key from OpenSSL is the one libp2p's private key object derives.
    for (let i = 0; i < 8; i++) {
      const key = p2pPrivateKeyFromSeed('peer-id', i)
      expect(p2pPeerId(key)).toBe(peerIdFromPrivateKey(p2pPrivateKey(key)).toString())
    }
  })

  it('rejects invalid keys', () => {
    expect(() => p2pPeerId('0x1234')).toThrow()
    expect(() => p2pPeerId(`0x${'00'.repeat(32)}`)).toThrow()
    expect(() => p2pPeerId(`0x${'ff'.repeat(32)}`)).toThrow()
  })

  it('derives deterministic, distinct, valid keys from a seed', () => {
    const a0 = p2pPrivateKeyFromSeed('devnet', 0)
    expect(a0).toMatch(/^0x[0-9a-f]{64}$/)
    expect(p2pPrivateKeyFromSeed('devnet', 0)).toBe(a0)
    expect(p2pPrivateKeyFromSeed('devnet', 1)).not.toBe(a0)
    expect(p2pPrivateKeyFromSeed('other', 0)).not.toBe(a0)
    expect(p2pPeerId(a0)).not.toBe(p2pPeerId(p2pPrivateKeyFromSeed('devnet', 1)))
    expect(() => p2pPrivateKeyFromSeed('devnet', -1)).toThrow()
  })

  it('computes discv5 node IDs from compressed and uncompressed keys', () => {
    expect(p2pNodeId(hexToBytes(EIP778_PUB))).toBe(EIP778_NODE_ID)
    expect(p2pNodeId(hexToBytes(privateKeyToAccount(EIP778_KEY).publicKey))).toBe(EIP778_NODE_ID)
    for (let i = 0; i < 8; i++) {
      const key = p2pPrivateKeyFromSeed('parity', i)
      const compressed = p2pPrivateKey(key).publicKey.raw
      expect(p2pNodeId(compressed)).toBe(p2pNodeId(hexToBytes(privateKeyToAccount(key).publicKey)))
    }
  })

  it('refuses a node ID of bytes that are not a public key', () => {
    expect(() => p2pNodeId(hexToBytes(EIP778_PUB).subarray(1))).toThrow('not a secp256k1 public key')
    expect(() => p2pNodeId(Uint8Array.from([5, ...hexToBytes(EIP778_PUB).subarray(1)]))).toThrow('not a secp256k1 public key')
  })
})
