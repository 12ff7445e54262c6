/**
 * libp2p identities of rollup nodes, computed without starting anything, so a planner knows every
 * node's peer ID (and thus its static-peer multiaddr) before start. op-node uses secp256k1 keys,
 * whose peer IDs are the `16Uiu2…` identity-multihash form.
 */
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { concat, hexToBytes, keccak256, numberToHex, stringToHex, type Hex } from 'viem'
import { publicKeyOf, uncompressedKey } from './secp256k1.js'

/** secp256k1 group order. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

function keyBytes(privateKeyHex: Hex): Uint8Array {
  const bytes = hexToBytes(privateKeyHex)
  const k = BigInt(privateKeyHex)
  if (bytes.length !== 32 || k === 0n || k >= N) throw new Error('p2p key must be a 32-byte secp256k1 private key')
  return bytes
}

/**
 * The libp2p peer ID (`16Uiu2…`) of a secp256k1 private key (32 bytes hex): the identity multihash of its
 * compressed public key. The key comes from OpenSSL (`node:crypto`): libp2p's private key object derives it
 * in pure JS, and the first such derivation in a process builds noble's generator table (about 55 ms of
 * the planner, before the first service of `devnet up` could start).
 */
export function p2pPeerId(privateKeyHex: Hex): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKeyOf(keyBytes(privateKeyHex), 'compressed'))).toString()
}

/** The libp2p private key object of a secp256k1 private key (32 bytes hex). */
export function p2pPrivateKey(privateKeyHex: Hex): ReturnType<typeof privateKeyFromRaw> {
  return privateKeyFromRaw(keyBytes(privateKeyHex))
}

/**
 * A deterministic secp256k1 private key: `keccak256(utf8(seed) ‖ uint256(index))` (i.e. Solidity
 * `abi.encodePacked(string, uint256)`), mapped into [1, n-1] in the astronomically unlikely case
 * it falls outside the valid range.
 */
export function p2pPrivateKeyFromSeed(seed: string, index: number): Hex {
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`invalid key index ${index}`)
  const k = BigInt(keccak256(concat([stringToHex(seed), numberToHex(index, { size: 32 })])))
  const valid = k > 0n && k < N ? k : (k % (N - 1n)) + 1n
  return numberToHex(valid, { size: 32 })
}

/**
 * The discv5 node ID of a secp256k1 public key (33-byte compressed or 65-byte uncompressed):
 * keccak256 of the 64-byte X‖Y, as hex without `0x` (how op-node's `PeerInfo.nodeID` renders it).
 */
export function p2pNodeId(publicKey: Uint8Array): string {
  let xy: Uint8Array
  try {
    xy = uncompressedKey(publicKey).subarray(1)
  } catch {
    throw new Error('not a secp256k1 public key')
  }
  return keccak256(xy).slice(2)
}
