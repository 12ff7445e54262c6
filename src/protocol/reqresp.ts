/**
 * op-node's req-resp block sync, `/opstack/req/payload_by_number/<chainId>/0`: the request is the block
 * number as uint64 little-endian; the response is a result byte, and on success a uint32 LE version (0: an
 * SSZ `ExecutionPayload`, 1 from Ecotone: an envelope `parentBeaconBlockRoot ++ ExecutionPayload`) followed
 * by the SSZ bytes in snappy's framing format.
 */
import { bytesToHex, type Hex } from 'viem'
import { concatBytes, fixedBytes } from './bytes.js'
import { ProtocolError } from './errors.js'
import { MAX_GOSSIP_SIZE } from './gossip.js'
import { payloadVersionFor, type PayloadWithBeaconRoot } from './payload.js'
import { decodePayloadSSZ, encodePayloadSSZ } from './payloadSsz.js'
import type { PayloadVersion } from './payloadTypes.js'
import type { RollupConfig } from './types.js'
import { decodeSnappyFramed, encodeSnappyFramed } from './snappyFrames.js'

/** Result codes of a response's first byte. */
export const ResultCode = { success: 0, notFound: 1, invalidRequest: 2, unknownError: 3 } as const
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode]

/** A response (its compressed part) is read up to this many bytes, as op-node limits it. */
export const MAX_RESPONSE_SIZE = MAX_GOSSIP_SIZE

/** The protocol ID for an L2 chain. */
export function payloadByNumberProtocol(l2ChainId: bigint | number): string {
  return `/opstack/req/payload_by_number/${BigInt(l2ChainId)}/0`
}

/** The request for block `n`: 8 bytes, uint64 little-endian. */
export function encodePayloadRequest(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true)
  return out
}

/** The block number of a request; throws on fewer than 8 bytes (extra bytes are ignored, as op-node reads 8). */
export function decodePayloadRequest(bytes: Uint8Array): bigint {
  if (bytes.length < 8) throw new ProtocolError('INVALID_ARGUMENT', `request of ${bytes.length} bytes, expected a uint64 (8 bytes)`)
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
}

/** L2 block timestamp of block `n` (genesis time plus whole block times). */
export function timestampOfBlock(cfg: RollupConfig, n: number): number {
  return cfg.genesis.l2_time + (n - cfg.genesis.l2.number) * cfg.block_time
}

/** The highest block number the chain can have at `nowS`, as op-node's `TargetBlockNumber`. */
export function maxBlockAt(cfg: RollupConfig, nowS: number): number {
  return cfg.genesis.l2.number + Math.max(0, Math.floor((nowS - cfg.genesis.l2_time) / cfg.block_time))
}

/** A failed response: its result byte only. */
export function encodeErrorResponse(code: Exclude<ResultCode, 0>): Uint8Array {
  return Uint8Array.of(code)
}

/** A success response for a payload, versioned by its timestamp's fork. */
export function encodePayloadResponse(cfg: RollupConfig, p: PayloadWithBeaconRoot): Uint8Array {
  const version = payloadVersionFor(cfg, Number(p.payload.timestamp))
  const ssz = encodePayloadSSZ(p.payload, version)
  const envelope = version >= 3
  const body = envelope
    ? concatBytes(fixedBytes(p.parentBeaconBlockRoot ?? (`0x${'00'.repeat(32)}` as Hex), 32, 'parentBeaconBlockRoot', 'INVALID_PAYLOAD'), ssz)
    : ssz
  return concatBytes(Uint8Array.of(ResultCode.success, envelope ? 1 : 0, 0, 0, 0), encodeSnappyFramed(body))
}

/** A decoded response: a payload, or the peer's error code. */
export type PayloadResponse = { code: 0; payload: PayloadWithBeaconRoot } | { code: Exclude<ResultCode, 0> | number }

/**
 * Decodes the response to a request for block `n`: the payload version follows the block's timestamp
 * (Canyon: withdrawals, Isthmus: withdrawalsRoot). Throws on a truncated header, an unknown version, a
 * version that does not match the fork, bad framing or bad SSZ.
 */
export function decodePayloadResponse(cfg: RollupConfig, n: number, bytes: Uint8Array): PayloadResponse {
  if (bytes.length < 1) throw new ProtocolError('INVALID_PAYLOAD', 'empty response: no result code')
  if (bytes[0] !== ResultCode.success) return { code: bytes[0] }
  if (bytes.length < 5) throw new ProtocolError('INVALID_PAYLOAD', `response of ${bytes.length} bytes has no version`)
  const wire = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0, true)
  const version: PayloadVersion = payloadVersionFor(cfg, timestampOfBlock(cfg, n))
  if (wire > 1) throw new ProtocolError('INVALID_PAYLOAD', `unrecognized response version ${wire}`)
  if ((wire === 1) !== (version >= 3)) throw new ProtocolError('INVALID_PAYLOAD', `response version ${wire} does not match payload v${version} of block ${n}`)
  const body = decodeSnappyFramed(bytes.subarray(5), MAX_RESPONSE_SIZE)
  if (wire === 0) return { code: 0, payload: { payload: decodePayloadSSZ(body, version) } }
  if (body.length < 32) throw new ProtocolError('INVALID_PAYLOAD', `envelope of ${body.length} bytes has no parent beacon block root`)
  return { code: 0, payload: { parentBeaconBlockRoot: bytesToHex(body.subarray(0, 32)), payload: decodePayloadSSZ(body.subarray(32), version) } }
}
