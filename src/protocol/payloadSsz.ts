/**
 * SSZ encoding of `ExecutionPayload` as used by OP Stack block gossip: Bellatrix layout (v1),
 * + withdrawals (v2, Capella), + blobGasUsed/excessBlobGas (v3, Deneb), + withdrawalsRoot (v4, OP
 * Isthmus). Integers are little-endian; variable fields are referenced by 4-byte offsets.
 */
import { bytesToHex, getAddress, type Hex } from 'viem'
import { concatBytes, fixedBytes, toBytes } from './bytes.js'
import { ProtocolError } from './errors.js'
import type { ExecutionPayload, PayloadVersion } from './payloadTypes.js'

/** Size of the fixed part of the SSZ container per payload version. */
export const SSZ_PAYLOAD_FIXED_SIZE: Record<PayloadVersion, number> = { 1: 508, 2: 512, 3: 528, 4: 560 }

const C = 'INVALID_PAYLOAD' as const
const MAX_EXTRA_DATA = 32
const WITHDRAWAL_SIZE = 44

function uintLE(value: bigint, width: number, what: string): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(width * 8)) throw new ProtocolError(C, `${what} ${value} does not fit in uint${width * 8}`)
  const out = new Uint8Array(width)
  let v = value
  for (let i = 0; i < width; i++) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

function readLE(b: Uint8Array, offset: number, width: number): bigint {
  let v = 0n
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[offset + i])
  return v
}

const u32 = (n: number): Uint8Array => uintLE(BigInt(n), 4, 'offset')

/** Encodes a payload as the SSZ `ExecutionPayload` container of `version`. */
export function encodePayloadSSZ(p: ExecutionPayload, version: PayloadVersion): Uint8Array {
  const extra = toBytes(p.extraData, 'extraData', C)
  if (extra.length > MAX_EXTRA_DATA) throw new ProtocolError(C, `extraData of ${extra.length} bytes exceeds 32`)
  if (version >= 2 && p.withdrawals && p.withdrawals.length > 0) throw new ProtocolError(C, 'OP Stack payloads carry no withdrawals')
  if (version >= 3 && (p.blobGasUsed === undefined || p.excessBlobGas === undefined)) {
    throw new ProtocolError(C, `payload v${version} needs blobGasUsed and excessBlobGas`)
  }
  if (version >= 4 && p.withdrawalsRoot === undefined) throw new ProtocolError(C, 'payload v4 needs withdrawalsRoot')
  const txs = p.transactions.map((tx, i) => toBytes(tx, `transaction ${i}`, C))
  const fixedSize = SSZ_PAYLOAD_FIXED_SIZE[version]
  const txOffsets: Uint8Array[] = []
  let txPos = txs.length * 4
  for (const tx of txs) {
    txOffsets.push(u32(txPos))
    txPos += tx.length
  }
  const txSection = concatBytes(...txOffsets, ...txs)
  const extraOffset = fixedSize
  const txOffset = extraOffset + extra.length
  const fixed: Uint8Array[] = [
    fixedBytes(p.parentHash, 32, 'parentHash', C),
    fixedBytes(p.feeRecipient, 20, 'feeRecipient', C),
    fixedBytes(p.stateRoot, 32, 'stateRoot', C),
    fixedBytes(p.receiptsRoot, 32, 'receiptsRoot', C),
    fixedBytes(p.logsBloom, 256, 'logsBloom', C),
    fixedBytes(p.prevRandao, 32, 'prevRandao', C),
    uintLE(p.blockNumber, 8, 'blockNumber'),
    uintLE(p.gasLimit, 8, 'gasLimit'),
    uintLE(p.gasUsed, 8, 'gasUsed'),
    uintLE(p.timestamp, 8, 'timestamp'),
    u32(extraOffset),
    uintLE(p.baseFeePerGas, 32, 'baseFeePerGas'),
    fixedBytes(p.blockHash, 32, 'blockHash', C),
    u32(txOffset),
  ]
  if (version >= 2) fixed.push(u32(txOffset + txSection.length))
  if (version >= 3) fixed.push(uintLE(p.blobGasUsed as bigint, 8, 'blobGasUsed'), uintLE(p.excessBlobGas as bigint, 8, 'excessBlobGas'))
  if (version >= 4) fixed.push(fixedBytes(p.withdrawalsRoot as Hex, 32, 'withdrawalsRoot', C))
  return concatBytes(...fixed, extra, txSection)
}

function decodeTransactions(section: Uint8Array): Hex[] {
  if (section.length === 0) return []
  if (section.length < 4) throw new ProtocolError(C, 'transactions section shorter than one offset')
  const first = Number(readLE(section, 0, 4))
  if (first % 4 !== 0 || first === 0 || first > section.length) throw new ProtocolError(C, `bad first transaction offset ${first}`)
  const count = first / 4
  const offsets: number[] = []
  for (let i = 0; i < count; i++) offsets.push(Number(readLE(section, i * 4, 4)))
  offsets.push(section.length)
  const txs: Hex[] = []
  for (let i = 0; i < count; i++) {
    if (offsets[i + 1] < offsets[i] || offsets[i + 1] > section.length) {
      throw new ProtocolError(C, `transaction offset ${i + 1} out of order or out of bounds`)
    }
    txs.push(bytesToHex(section.subarray(offsets[i], offsets[i + 1])))
  }
  return txs
}

/** Decodes an SSZ `ExecutionPayload` of `version`; throws on any layout violation. */
export function decodePayloadSSZ(bytes: Uint8Array, version: PayloadVersion): ExecutionPayload {
  const fixedSize = SSZ_PAYLOAD_FIXED_SIZE[version]
  if (bytes.length < fixedSize) throw new ProtocolError(C, `payload of ${bytes.length} bytes is shorter than the v${version} fixed part (${fixedSize})`)
  const hex = (o: number, n: number): Hex => bytesToHex(bytes.subarray(o, o + n))
  const extraOffset = Number(readLE(bytes, 436, 4))
  const txOffset = Number(readLE(bytes, 504, 4))
  if (extraOffset !== fixedSize) throw new ProtocolError(C, `extraData offset ${extraOffset} must equal fixed size ${fixedSize}`)
  if (txOffset < extraOffset || txOffset > bytes.length) throw new ProtocolError(C, `transactions offset ${txOffset} out of range`)
  if (txOffset - extraOffset > MAX_EXTRA_DATA) throw new ProtocolError(C, `extraData of ${txOffset - extraOffset} bytes exceeds 32`)
  let txEnd = bytes.length
  if (version >= 2) {
    const wOffset = Number(readLE(bytes, 508, 4))
    if (wOffset < txOffset || wOffset > bytes.length) throw new ProtocolError(C, `withdrawals offset ${wOffset} out of range`)
    const wLen = bytes.length - wOffset
    if (wLen % WITHDRAWAL_SIZE !== 0) throw new ProtocolError(C, 'withdrawals section is not a whole number of withdrawals')
    if (wLen > 0) throw new ProtocolError(C, 'OP Stack payloads carry no withdrawals')
    txEnd = wOffset
  }
  const payload: ExecutionPayload = {
    parentHash: hex(0, 32),
    feeRecipient: getAddress(hex(32, 20)),
    stateRoot: hex(52, 32),
    receiptsRoot: hex(84, 32),
    logsBloom: hex(116, 256),
    prevRandao: hex(372, 32),
    blockNumber: readLE(bytes, 404, 8),
    gasLimit: readLE(bytes, 412, 8),
    gasUsed: readLE(bytes, 420, 8),
    timestamp: readLE(bytes, 428, 8),
    extraData: hex(extraOffset, txOffset - extraOffset),
    baseFeePerGas: readLE(bytes, 440, 32),
    blockHash: hex(472, 32),
    transactions: decodeTransactions(bytes.subarray(txOffset, txEnd)),
  }
  if (version >= 2) payload.withdrawals = []
  if (version >= 3) {
    payload.blobGasUsed = readLE(bytes, 512, 8)
    payload.excessBlobGas = readLE(bytes, 520, 8)
  }
  if (version >= 4) payload.withdrawalsRoot = hex(528, 32)
  return payload
}
