/**
 * The v4 identity scheme of `@chainsafe/enr` (sign and verify records, derive node IDs) on the secp256k1
 * that libp2p already loads, installed with the library's own `setV4Crypto`.
 *
 * Why: the first multiplication by the generator in each copy of noble builds that copy's table. The
 * library's default brings another copy (through `ethereum-cryptography`) whose table cost a rollup node
 * or the bootnode 36-53 ms at start (profiles of `devnet up`), on top of libp2p's, which every node builds
 * for its peer key anyway. Node IDs are `protocol/p2pIdentity.ts`'s, decompressed by OpenSSL.
 *
 * Same scheme: keccak256 of the record content, a 64-byte `r ‖ s` signature with low s (the default's
 * verification also refuses a high s), and the node ID as keccak256 of the 64-byte public key.
 */
import { defaultCrypto, setV4Crypto } from '@chainsafe/enr'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { p2pNodeId } from '../../protocol/p2pIdentity.js'

const hash = defaultCrypto.hash

/** The scheme as `setV4Crypto` takes it. */
export const enrCrypto: typeof defaultCrypto = {
  hash,
  publicKey: (privateKey) => secp256k1.getPublicKey(privateKey, true),
  sign: (privateKey, msg) => secp256k1.sign(hash(msg), privateKey, { prehash: false }),
  verify: (publicKey, msg, sig) => {
    try {
      return secp256k1.verify(sig, hash(msg), publicKey, { prehash: false })
    } catch {
      return false // a malformed key or signature, as the default answers it
    }
  },
  nodeId: p2pNodeId, // keccak256 of X ‖ Y, decompressed by OpenSSL
}

let installed = false

/** Installs {@link enrCrypto} for every ENR of this process. Idempotent. */
export function useEnrCrypto(): void {
  if (installed) return
  installed = true
  setV4Crypto(enrCrypto)
}
