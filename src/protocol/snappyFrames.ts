/**
 * Snappy's framing format (the stream format of golang/snappy's `NewBufferedWriter` / `NewReader`), used
 * by op-node's req-resp responses: a `sNaPpY` stream identifier, then chunks `type (1) ++ length (3, LE)
 * ++ data`, where compressed (0x00) and uncompressed (0x01) chunks start with the masked CRC-32C of the
 * uncompressed bytes and carry at most 65536 of them.
 */
import snappy from 'snappyjs'
import { concatBytes } from './bytes.js'
import { ProtocolError } from './errors.js'

const STREAM_ID = Uint8Array.of(0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59)
const MAX_BLOCK = 65536
const CHUNK_COMPRESSED = 0x00
const CHUNK_UNCOMPRESSED = 0x01
const CHUNK_STREAM_ID = 0xff

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t[i] = c >>> 0
  }
  return t
})()

/** CRC-32C (Castagnoli), as snappy framing uses it before masking. */
export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** The masked checksum stored in a chunk: `((crc >> 15) | (crc << 17)) + 0xa282ead8`. */
function maskedCrc(data: Uint8Array): number {
  const c = crc32c(data)
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0
}

function chunkHeader(type: number, length: number, crc: number): Uint8Array {
  const h = new Uint8Array(8)
  h[0] = type
  h[1] = length & 0xff
  h[2] = (length >>> 8) & 0xff
  h[3] = (length >>> 16) & 0xff
  new DataView(h.buffer).setUint32(4, crc, true)
  return h
}

/** Encodes `data` as a framed snappy stream (compressing each block only where it saves 1/8, as Go does). */
export function encodeSnappyFramed(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [STREAM_ID]
  for (let off = 0; off < data.length; off += MAX_BLOCK) {
    const block = data.subarray(off, off + MAX_BLOCK)
    const crc = maskedCrc(block)
    const compressed = snappy.compress(block)
    const useCompressed = compressed.length < block.length - block.length / 8
    const body = useCompressed ? compressed : block
    parts.push(chunkHeader(useCompressed ? CHUNK_COMPRESSED : CHUNK_UNCOMPRESSED, body.length + 4, crc), body)
  }
  return concatBytes(...parts)
}

/**
 * Decodes a framed snappy stream. Throws (`code`) on a missing stream identifier, a truncated chunk, a
 * reserved unskippable chunk type, a checksum mismatch or more than `maxLength` decoded bytes.
 */
export function decodeSnappyFramed(stream: Uint8Array, maxLength: number, code: 'INVALID_PAYLOAD' | 'INVALID_GOSSIP' = 'INVALID_PAYLOAD'): Uint8Array {
  const fail = (msg: string): never => {
    throw new ProtocolError(code, `snappy frame: ${msg}`)
  }
  const out: Uint8Array[] = []
  let total = 0
  let off = 0
  let sawId = false
  while (off < stream.length) {
    if (stream.length - off < 4) fail(`truncated chunk header at byte ${off}`)
    const type = stream[off]
    const len = stream[off + 1] | (stream[off + 2] << 8) | (stream[off + 3] << 16)
    const body = stream.subarray(off + 4, off + 4 + len)
    if (body.length < len) fail(`chunk at byte ${off} declares ${len} bytes, ${body.length} left`)
    off += 4 + len
    if (type === CHUNK_STREAM_ID) {
      if (len !== 6 || !body.every((b, i) => b === STREAM_ID[4 + i])) fail('bad stream identifier')
      sawId = true
      continue
    }
    if (!sawId) fail('stream does not start with the sNaPpY identifier')
    if (type === CHUNK_COMPRESSED || type === CHUNK_UNCOMPRESSED) {
      if (len < 4) fail(`chunk of ${len} bytes has no checksum`)
      const crc = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true)
      let block: Uint8Array = body.subarray(4)
      if (type === CHUNK_COMPRESSED) {
        try {
          block = snappy.uncompress(block, MAX_BLOCK)
        } catch (err) {
          fail(`bad compressed chunk: ${(err as Error).message}`)
        }
      } else if (block.length > MAX_BLOCK) fail(`uncompressed chunk of ${block.length} bytes exceeds ${MAX_BLOCK}`)
      if (maskedCrc(block) !== crc) fail('checksum mismatch')
      total += block.length
      if (total > maxLength) fail(`decoded data exceeds ${maxLength} bytes`)
      out.push(block)
    } else if (type < 0x80) fail(`reserved unskippable chunk type 0x${type.toString(16)}`)
    // 0x80..0xfd (reserved skippable) and 0xfe (padding) are skipped
  }
  if (!sawId) fail('empty stream')
  return concatBytes(...out)
}
