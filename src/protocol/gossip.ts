/**
 * OP Stack unsafe-block gossip: topics, the signing hash and the snappy-compressed signed message
 * `signature (r, s, yParity) ++ [parentBeaconBlockRoot for v3/v4] ++ SSZ payload`.
 */
import { createHash } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import snappy from 'snappyjs'
import { bytesToHex, hexToBytes, keccak256, stringToBytes, type Address, type Hex } from 'viem'
import { concatBytes, fixedBytes, uintToBytes } from './bytes.js'
import { ProtocolError } from './errors.js'
import type { ExecutionPayload, PayloadVersion } from './payloadTypes.js'
import { addressOfPublicKey } from './secp256k1.js'
import { decodePayloadSSZ, encodePayloadSSZ } from './payloadSsz.js'

/** Largest decompressed gossip message op-node accepts (10 MiB). */
export const MAX_GOSSIP_SIZE = 10 * 1024 * 1024

/**
 * op-node's gossip message ID (eth2 altair style): the first 20 bytes of
 * sha256(domain ++ u64le(len(topic)) ++ topic ++ data), with data snappy-decoded when it decodes
 * (domain 0x01000000) and raw otherwise (domain 0x00000000). Computed for every copy received, duplicates
 * included (about as many copies of a block as the node has mesh peers), so the hash is node:crypto's.
 */
export function gossipMessageId(topic: string, data: Uint8Array): Uint8Array {
  let domain = 0
  let body = data
  try {
    body = snappy.uncompress(data, MAX_GOSSIP_SIZE)
    domain = 1
  } catch {
    // not snappy: hash the raw data
  }
  const topicBytes = stringToBytes(topic)
  const topicLen = new Uint8Array(8)
  new DataView(topicLen.buffer).setBigUint64(0, BigInt(topicBytes.length), true)
  const digest = createHash('sha256').update(Uint8Array.of(domain, 0, 0, 0)).update(topicLen).update(topicBytes).update(body).digest()
  return new Uint8Array(digest.subarray(0, 20))
}

/** Gossip topic for a payload version: `/optimism/<chainId>/<version - 1>/blocks`. */
export function gossipTopic(l2ChainId: bigint | number, version: PayloadVersion): string {
  return `/optimism/${BigInt(l2ChainId)}/${version - 1}/blocks`
}

/** `keccak256(bytes32(0) ++ uint256(chainId) ++ keccak256(payloadBytes))`. */
export function payloadSigningHash(l2ChainId: bigint | number, payloadBytes: Uint8Array): Hex {
  return keccak256(
    concatBytes(new Uint8Array(32), uintToBytes(BigInt(l2ChainId), 32, 'chain id'), keccak256(payloadBytes, 'bytes')),
  )
}

const hasBeaconRoot = (version: PayloadVersion): boolean => version >= 3

/** Inputs of {@link encodeGossipBlock}. */
export interface EncodeGossipBlockArgs {
  payload: ExecutionPayload
  /** Required for v3/v4, forbidden before. */
  parentBeaconBlockRoot?: Hex
  version: PayloadVersion
  l2ChainId: bigint | number
  signerPrivateKey: Hex
}

function signedBytes(payload: ExecutionPayload, version: PayloadVersion, root: Hex | undefined): Uint8Array {
  const ssz = encodePayloadSSZ(payload, version)
  if (hasBeaconRoot(version)) {
    if (root === undefined) throw new ProtocolError('INVALID_GOSSIP', `payload v${version} needs parentBeaconBlockRoot`)
    return concatBytes(fixedBytes(root, 32, 'parentBeaconBlockRoot', 'INVALID_GOSSIP'), ssz)
  }
  if (root !== undefined) throw new ProtocolError('INVALID_GOSSIP', `payload v${version} has no parentBeaconBlockRoot`)
  return ssz
}

/*
 * Signing and recovery use the secp256k1 copy libp2p loads (`@noble/curves`), not viem's: the first
 * multiplication by the generator in each copy builds that copy's table, and a rollup node builds
 * libp2p's anyway for its peer key (viem's cost the sequencer another 40-50 ms at start). Same
 * scheme as viem's `sign` and `recoverAddress`: RFC 6979 nonces, low s, the same bytes.
 */

/** `r ‖ s ‖ yParity` of `hash` signed by `privateKey`. */
function signRecoverable(hash: Hex, privateKey: Hex): Uint8Array {
  const sig = secp256k1.sign(hexToBytes(hash), hexToBytes(privateKey), { prehash: false, format: 'recovered' }) // yParity ‖ r ‖ s
  return concatBytes(sig.subarray(1), sig.subarray(0, 1))
}

type Point = InstanceType<typeof secp256k1.Point>
/** Signers' public keys once recovered, with their multiplication tables, by lowercase address (the last few). */
const knownSigners = new Map<string, Point>()
const KNOWN_SIGNERS_MAX = 4

const toBigInt = (bytes: Uint8Array) => BigInt(bytesToHex(bytes))

/**
 * Whether recovering the key of `signature` (`r ‖ s ‖ yParity`) over `hash` gives `key`, decided without
 * recovering: with `w = s⁻¹`, the point `hw·G + rw·Q` must be the signature's own point, x = r and the
 * parity yParity (the point recovery starts from; recovery then yields Q). Both multiplications use
 * precomputed tables (G's, and Q's once made), several times cheaper than a recovery, which a replica
 * pays for every block (a tenth of its CPU in a devnet of 50 replicas). `false` means "not shown", and
 * the caller recovers: the answer for any signature is the recovery's.
 */
function recoversTo(key: Point, hash: Hex, signature: Uint8Array): boolean {
  const { Fn, BASE } = secp256k1.Point
  const r = toBigInt(signature.subarray(0, 32))
  const s = toBigInt(signature.subarray(32, 64))
  if (signature[64] > 1 || r === 0n || r >= Fn.ORDER || s === 0n || s >= Fn.ORDER) return false
  const w = Fn.inv(s)
  const point = BASE.multiplyUnsafe(Fn.mul(Fn.create(BigInt(hash)), w)).add(key.multiplyUnsafe(Fn.mul(r, w)))
  if (point.is0()) return false
  const { x, y } = point.toAffine()
  return x === r && Number(y & 1n) === signature[64]
}

/**
 * The signer of `signature` over `hash`: `expected` when its key, known from an earlier recovery,
 * provably gives it ({@link recoversTo}); otherwise recovered (and the key of `expected` remembered
 * once it turns up).
 */
function signerOf(hash: Hex, signature: Uint8Array, expected: Address | undefined): Address {
  const known = expected && knownSigners.get(expected.toLowerCase())
  if (known && recoversTo(known, hash, signature)) return expected!
  const publicKey = secp256k1.recoverPublicKey(concatBytes(signature.subarray(64), signature.subarray(0, 64)), hexToBytes(hash), { prehash: false })
  const signer = addressOfPublicKey(publicKey)
  if (expected && !known && signer.toLowerCase() === expected.toLowerCase()) {
    // Window 6: its table takes ~15 ms to build and a multiplication ~0.33 ms after (here: window 4 7.7 ms /
    // 0.52 ms, window 8 45 ms / 0.24 ms, none 1.66 ms a multiplication), paid back within a dozen blocks.
    const point = secp256k1.Point.fromBytes(publicKey)
    point.precompute(6)
    knownSigners.set(expected.toLowerCase(), point)
    if (knownSigners.size > KNOWN_SIGNERS_MAX) knownSigners.delete(knownSigners.keys().next().value!)
  }
  return signer
}

/** Signs a payload and returns the snappy-compressed gossip message. */
export async function encodeGossipBlock(args: EncodeGossipBlockArgs): Promise<Uint8Array> {
  const body = signedBytes(args.payload, args.version, args.parentBeaconBlockRoot)
  const signature = signRecoverable(payloadSigningHash(args.l2ChainId, body), args.signerPrivateKey)
  return snappy.compress(concatBytes(signature, body))
}

/** A decoded, signature-recovered gossip message. */
export interface DecodedGossipBlock {
  payload: ExecutionPayload
  parentBeaconBlockRoot?: Hex
  signer: Address
  /** 65 bytes `r ++ s ++ yParity`. */
  signature: Hex
}

/**
 * Decompresses, decodes and recovers the signer of a gossip message. Throws on bad snappy,
 * oversize messages, bad SSZ, a malformed signature or (if `expectedSigner` is set) a different signer.
 */
export async function decodeGossipBlock(
  data: Uint8Array,
  opts: { version: PayloadVersion; l2ChainId: bigint | number; expectedSigner?: Address },
): Promise<DecodedGossipBlock> {
  let raw: Uint8Array
  try {
    raw = snappy.uncompress(data, MAX_GOSSIP_SIZE)
  } catch (err) {
    throw new ProtocolError('INVALID_GOSSIP', `bad snappy data: ${(err as Error).message}`, { cause: err })
  }
  const prefix = 65 + (hasBeaconRoot(opts.version) ? 32 : 0)
  if (raw.length < prefix) throw new ProtocolError('INVALID_GOSSIP', `message of ${raw.length} bytes is too short`)
  const sigBytes = raw.subarray(0, 65)
  if (sigBytes[64] > 1) throw new ProtocolError('INVALID_GOSSIP', `signature yParity must be 0 or 1, got ${sigBytes[64]}`)
  const body = raw.subarray(65)
  const payload = decodePayloadSSZ(body.subarray(prefix - 65), opts.version)
  const signature = bytesToHex(sigBytes)
  let signer: Address
  try {
    signer = signerOf(payloadSigningHash(opts.l2ChainId, body), sigBytes, opts.expectedSigner)
  } catch (err) {
    throw new ProtocolError('INVALID_GOSSIP', `cannot recover signer: ${(err as Error).message}`, { cause: err })
  }
  if (opts.expectedSigner && signer.toLowerCase() !== opts.expectedSigner.toLowerCase()) {
    throw new ProtocolError('INVALID_GOSSIP', `block signed by ${signer}, expected ${opts.expectedSigner}`)
  }
  const out: DecodedGossipBlock = { payload, signer, signature }
  if (hasBeaconRoot(opts.version)) out.parentBeaconBlockRoot = bytesToHex(body.subarray(0, 32))
  return out
}
