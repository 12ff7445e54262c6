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
const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

/**
 * Verification answers by (content hash, signature, key), the {@link VERIFIED_MAX} latest: discovery
 * decodes the same records again and again (every answer to every lookup carries them), and checking
 * their signatures was a sixth of a replica's secp256k1 work in a devnet of 50 replicas.
 */
const verified = new Map<string, boolean>()
export const VERIFIED_MAX = 4096

/** How many verification answers are kept (for tests). */
export const verifiedCount = (): number => verified.size

/** The scheme as `setV4Crypto` takes it. */
export const enrCrypto: typeof defaultCrypto = {
  hash,
  publicKey: (privateKey) => secp256k1.getPublicKey(privateKey, true),
  sign: (privateKey, msg) => secp256k1.sign(hash(msg), privateKey, { prehash: false }),
  verify: (publicKey, msg, sig) => {
    const digest = hash(msg)
    const key = `${hex(digest)}${hex(sig)}${hex(publicKey)}`
    const known = verified.get(key)
    if (known !== undefined) return known
    let ok: boolean
    try {
      ok = secp256k1.verify(sig, digest, publicKey, { prehash: false })
    } catch {
      ok = false // a malformed key or signature, as the default answers it
    }
    verified.set(key, ok)
    if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!)
    return ok
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
