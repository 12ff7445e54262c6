/**
 * Small byte helpers shared by the protocol codecs (internal; not re-exported from the index).
 */
import { bytesToHex, hexToBytes, isHex, type Hex } from 'viem'
import { ProtocolError, type ProtocolErrorCode } from './errors.js'

/** Accepts hex or bytes and returns bytes; throws on malformed hex. */
export function toBytes(data: Hex | Uint8Array, what: string, code: ProtocolErrorCode = 'INVALID_ARGUMENT'): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (typeof data !== 'string' || !isHex(data, { strict: true }) || data.length % 2 !== 0) {
    throw new ProtocolError(code, `${what} is not even-length 0x-prefixed hex`)
  }
  return hexToBytes(data)
}

/** Hex of exactly `length` bytes, as bytes. */
export function fixedBytes(value: Hex, length: number, what: string, code: ProtocolErrorCode = 'INVALID_ARGUMENT'): Uint8Array {
  const bytes = toBytes(value, what, code)
  if (bytes.length !== length) {
    throw new ProtocolError(code, `${what} must be ${length} bytes, got ${bytes.length}`)
  }
  return bytes
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

/** Big-endian fixed-width encoding of an unsigned integer; throws if it does not fit. */
export function uintToBytes(value: bigint | number, width: number, what: string): Uint8Array {
  let v = BigInt(value)
  if (v < 0n || v >= 1n << BigInt(width * 8)) {
    throw new ProtocolError('INVALID_ARGUMENT', `${what} ${v} does not fit in uint${width * 8}`)
  }
  const out = new Uint8Array(width)
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

/** Minimal big-endian encoding (no leading zeros; zero is empty), as RLP integers use. */
export function uintMinimal(value: bigint): Uint8Array {
  if (value < 0n) throw new ProtocolError('INVALID_ARGUMENT', `negative integer ${value}`)
  if (value === 0n) return new Uint8Array(0)
  let hex = value.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return hexToBytes(`0x${hex}`)
}

/** Reads a big-endian unsigned integer of `width` bytes at `offset`. */
export function readUintBE(bytes: Uint8Array, offset: number, width: number): bigint {
  let v = 0n
  for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(bytes[offset + i])
  return v
}

/** Hex of a slice. */
export function sliceHex(bytes: Uint8Array, start: number, end: number): Hex {
  return bytesToHex(bytes.subarray(start, end))
}

/** Reads a protobuf/Go `binary.Uvarint` (max 10 bytes, must fit uint64). */
export function readUvarint(bytes: Uint8Array, offset: number, what: string, code: ProtocolErrorCode): { value: bigint; end: number } {
  let value = 0n
  for (let i = 0; i < 10; i++) {
    const pos = offset + i
    if (pos >= bytes.length) throw new ProtocolError(code, `${what}: unexpected end of data in uvarint`)
    const b = bytes[pos]
    if (i === 9 && b > 1) throw new ProtocolError(code, `${what}: uvarint overflows uint64`)
    value |= BigInt(b & 0x7f) << BigInt(7 * i)
    if (b < 0x80) return { value, end: pos + 1 }
  }
  throw new ProtocolError(code, `${what}: uvarint overflows uint64`)
}

/** Encodes a protobuf/Go `binary.Uvarint`. */
export function writeUvarint(value: bigint | number): Uint8Array {
  let v = BigInt(value)
  if (v < 0n || v >= 1n << 64n) throw new ProtocolError('INVALID_ARGUMENT', `uvarint ${v} out of range`)
  const out: number[] = []
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
  return Uint8Array.from(out)
}
