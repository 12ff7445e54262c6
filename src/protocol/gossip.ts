/**
 * OP Stack unsafe-block gossip: topics, the signing hash and the snappy-compressed signed message
 * `signature (r, s, yParity) ++ [parentBeaconBlockRoot for v3/v4] ++ SSZ payload`.
 */
import snappy from 'snappyjs'
import { bytesToHex, getAddress, hexToBytes, keccak256, recoverAddress, sha256, stringToBytes, type Address, type Hex } from 'viem'
import { sign } from 'viem/accounts'
import { concatBytes, fixedBytes, uintToBytes } from './bytes.js'
import { ProtocolError } from './errors.js'
import type { ExecutionPayload, PayloadVersion } from './payloadTypes.js'
import { decodePayloadSSZ, encodePayloadSSZ } from './payloadSsz.js'

/** Largest decompressed gossip message op-node accepts (10 MiB). */
export const MAX_GOSSIP_SIZE = 10 * 1024 * 1024

/**
 * op-node's gossip message ID (eth2 altair style): the first 20 bytes of
 * sha256(domain ++ u64le(len(topic)) ++ topic ++ data), with data snappy-decoded when it decodes
 * (domain 0x01000000) and raw otherwise (domain 0x00000000).
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
  return hexToBytes(sha256(concatBytes(Uint8Array.of(domain, 0, 0, 0), topicLen, topicBytes, body))).subarray(0, 20)
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

/** Signs a payload and returns the snappy-compressed gossip message. */
export async function encodeGossipBlock(args: EncodeGossipBlockArgs): Promise<Uint8Array> {
  const body = signedBytes(args.payload, args.version, args.parentBeaconBlockRoot)
  const sig = await sign({ hash: payloadSigningHash(args.l2ChainId, body), privateKey: args.signerPrivateKey })
  const signature = concatBytes(hexToBytes(sig.r, { size: 32 }), hexToBytes(sig.s, { size: 32 }), Uint8Array.of(sig.yParity ?? 0))
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
    signer = await recoverAddress({ hash: payloadSigningHash(opts.l2ChainId, body), signature })
  } catch (err) {
    throw new ProtocolError('INVALID_GOSSIP', `cannot recover signer: ${(err as Error).message}`, { cause: err })
  }
  signer = getAddress(signer)
  if (opts.expectedSigner && signer.toLowerCase() !== opts.expectedSigner.toLowerCase()) {
    throw new ProtocolError('INVALID_GOSSIP', `block signed by ${signer}, expected ${opts.expectedSigner}`)
  }
  const out: DecodedGossipBlock = { payload, signer, signature }
  if (hasBeaconRoot(opts.version)) out.parentBeaconBlockRoot = bytesToHex(body.subarray(0, 32))
  return out
}
