/**
 * Strict RLP reading (canonical form only, as go-ethereum's decoder) plus thin typed accessors.
 * Internal; encoding uses viem's `toRlp`.
 */
import { toRlp } from 'viem'
import { ProtocolError, type ProtocolErrorCode } from './errors.js'

/** A decoded RLP value: a byte string or a list. */
export type RlpItem = Uint8Array | RlpItem[]

/** Location of one RLP item inside a buffer. */
export interface RlpHeader {
  isList: boolean
  payloadStart: number
  end: number
}

/** Reads the header of the item at `offset`, checking canonical encoding and bounds. */
export function readRlpHeader(buf: Uint8Array, offset: number, code: ProtocolErrorCode = 'INVALID_RLP'): RlpHeader {
  const fail = (msg: string): never => {
    throw new ProtocolError(code, `rlp: ${msg} at offset ${offset}`)
  }
  if (offset >= buf.length) fail('unexpected end of input')
  const p = buf[offset]
  let isList = false
  let payloadStart = offset + 1
  let length: number
  if (p < 0x80) {
    return { isList: false, payloadStart: offset, end: offset + 1 }
  } else if (p <= 0xb7) {
    length = p - 0x80
    if (length === 1 && offset + 1 < buf.length && buf[offset + 1] < 0x80) {
      fail('non-canonical single byte string')
    }
  } else if (p <= 0xbf || (p >= 0xf8)) {
    isList = p >= 0xf8
    const lenOfLen = p - (isList ? 0xf7 : 0xb7)
    if (offset + 1 + lenOfLen > buf.length) fail('unexpected end of input in length')
    if (buf[offset + 1] === 0) fail('length has leading zero')
    length = 0
    for (let i = 0; i < lenOfLen; i++) length = length * 256 + buf[offset + 1 + i]
    if (length < 56) fail('non-canonical long length')
    payloadStart = offset + 1 + lenOfLen
  } else {
    isList = true
    length = p - 0xc0
  }
  const end = payloadStart + length
  if (end > buf.length) fail('item exceeds input')
  return { isList, payloadStart, end }
}

function decodeAt(buf: Uint8Array, offset: number, code: ProtocolErrorCode): { item: RlpItem; end: number } {
  const h = readRlpHeader(buf, offset, code)
  if (!h.isList) return { item: buf.subarray(h.payloadStart, h.end), end: h.end }
  const items: RlpItem[] = []
  let pos = h.payloadStart
  while (pos < h.end) {
    const next = decodeAt(buf.subarray(0, h.end), pos, code)
    items.push(next.item)
    pos = next.end
  }
  return { item: items, end: h.end }
}

/** Decodes exactly one RLP item spanning the whole buffer (trailing bytes are an error). */
export function decodeRlp(buf: Uint8Array, code: ProtocolErrorCode = 'INVALID_RLP'): RlpItem {
  const { item, end } = decodeAt(buf, 0, code)
  if (end !== buf.length) throw new ProtocolError(code, `rlp: ${buf.length - end} trailing bytes`)
  return item
}

/** RLP-encodes nested byte strings. */
export function encodeRlp(item: RlpItem): Uint8Array {
  return toRlp(item, 'bytes')
}

/** The item as a byte string. */
export function asBytes(item: RlpItem, what: string, code: ProtocolErrorCode): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new ProtocolError(code, `${what} must be a byte string, got a list`)
  return item
}

/** The item as a list, optionally of an exact length. */
export function asList(item: RlpItem, what: string, code: ProtocolErrorCode, length?: number): RlpItem[] {
  if (item instanceof Uint8Array) throw new ProtocolError(code, `${what} must be a list, got a byte string`)
  if (length !== undefined && item.length !== length) {
    throw new ProtocolError(code, `${what} must have ${length} elements, got ${item.length}`)
  }
  return item
}

/** A byte string of exactly `length` bytes. */
export function asFixed(item: RlpItem, length: number, what: string, code: ProtocolErrorCode): Uint8Array {
  const b = asBytes(item, what, code)
  if (b.length !== length) throw new ProtocolError(code, `${what} must be ${length} bytes, got ${b.length}`)
  return b
}

/** A canonical unsigned integer of at most `maxBytes` bytes (no leading zeros). */
export function asUint(item: RlpItem, maxBytes: number, what: string, code: ProtocolErrorCode): bigint {
  const b = asBytes(item, what, code)
  if (b.length > maxBytes) throw new ProtocolError(code, `${what} does not fit in uint${maxBytes * 8}`)
  if (b.length > 0 && b[0] === 0) throw new ProtocolError(code, `${what} has leading zero bytes`)
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  return v
}
