/**
 * secp256k1 keys by OpenSSL (`node:crypto`): public keys, their decompression and Ethereum addresses.
 *
 * Why not noble (as viem and libp2p use it): the first multiplication by the generator in each copy of
 * noble builds that copy's table, 60-76 ms of CPU here, and `devnet up` starts every program at once on
 * two cores. OpenSSL derives a key in about a millisecond and decompresses one in 50 µs.
 */
import { createECDH, ECDH } from 'node:crypto'
import { getAddress, keccak256, type Address, type Hex } from 'viem'

/** The public key of a 32-byte private key. @throws Error for a key outside [1, n-1] */
export function publicKeyOf(privateKey: Uint8Array, format: 'compressed' | 'uncompressed'): Buffer {
  const ecdh = createECDH('secp256k1')
  ecdh.setPrivateKey(privateKey)
  return ecdh.getPublicKey(null, format)
}

/** A public key (33-byte compressed or 65-byte uncompressed) as 65 uncompressed bytes. @throws Error when it is not a point of the curve */
export function uncompressedKey(publicKey: Uint8Array): Buffer {
  return ECDH.convertKey(publicKey, 'secp256k1', undefined, undefined, 'uncompressed') as Buffer
}

/** The Ethereum address of a public key (either form): the last 20 bytes of keccak256 of its 64-byte X ‖ Y. */
export function addressOfPublicKey(publicKey: Uint8Array): Address {
  return getAddress(`0x${keccak256(uncompressedKey(publicKey).subarray(1)).slice(-40)}`)
}

/** The Ethereum address of a private key (32 bytes hex). @throws Error for a key that is not 32 bytes in [1, n-1] */
export function addressOfKey(privateKey: Hex): Address {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) throw new Error('private key must be 32 bytes of hex')
  return addressOfPublicKey(publicKeyOf(Buffer.from(privateKey.slice(2), 'hex'), 'uncompressed'))
}
