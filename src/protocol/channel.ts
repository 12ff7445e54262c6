/**
 * Channel codec: batches → compressed channel bytes → frames, and back. The pre-Holocene
 * {@link ChannelBank} that reassembles channels from frames lives in `channelBank.ts`.
 */
import { randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import { bytesToHex, type Hex } from 'viem'
import { concatBytes, fixedBytes } from './bytes.js'
import { CHANNEL_ID_LENGTH, MAX_FRAME_DATA_LENGTH } from './constants.js'
import { ProtocolError } from './errors.js'
import type { Frame } from './frame.js'
import { encodeRlp, readRlpHeader } from './rlp.js'

export { ChannelBank, type ReadyChannel, type FrameIngestResult, type L1Position } from './channelBank.js'

/** Channel version byte that marks a brotli-compressed channel (Fjord+). */
export const CHANNEL_VERSION_BROTLI = 0x01

/** Options for {@link encodeChannel}. */
export interface EncodeChannelOptions {
  /** `zlib` (default, always valid) or `brotli` (`0x01` prefix, Fjord+). */
  compression?: 'zlib' | 'brotli'
}

/**
 * Builds channel bytes: every typed batch (`type ++ payload`) is RLP-encoded as a byte string,
 * the strings are concatenated and the result is compressed.
 */
export function encodeChannel(batches: Uint8Array[], opts: EncodeChannelOptions = {}): Uint8Array {
  const raw = concatBytes(...batches.map((b) => encodeRlp(b)))
  if (opts.compression === 'brotli') {
    return concatBytes(Uint8Array.of(CHANNEL_VERSION_BROTLI), new Uint8Array(zlib.brotliCompressSync(raw)))
  }
  return new Uint8Array(zlib.deflateSync(raw, { level: zlib.constants.Z_BEST_COMPRESSION }))
}

/** Options for {@link decodeChannel}. */
export interface DecodeChannelOptions {
  /** Accept brotli channels (Fjord active at the L1 origin). Default `true`. */
  allowBrotli?: boolean
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE'
}

/**
 * Decompresses at most `cap` bytes. Truncated streams yield what they decode to; when the output
 * would exceed `cap`, the longest input prefix whose output stays within it is used (node's sync
 * zlib cannot stop mid-stream), so a batch ending just below the cap may be lost where op-node
 * would still read it. Real channels stay far below the cap.
 */
function decompressCapped(input: Uint8Array, cap: number, fn: (buf: Uint8Array) => Uint8Array): Uint8Array {
  const run = (buf: Uint8Array): Uint8Array => {
    try {
      const out = fn(buf)
      return new Uint8Array(out.buffer, out.byteOffset, out.length)
    } catch (err) {
      if (isTooLarge(err)) throw err
      throw new ProtocolError('INVALID_CHANNEL', `channel decompression failed: ${(err as Error).message}`, { cause: err })
    }
  }
  try {
    return run(input)
  } catch (err) {
    if (!isTooLarge(err)) throw err
  }
  let lo = 0
  let hi = input.length
  let best: Uint8Array = new Uint8Array(0)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    try {
      best = run(input.subarray(0, mid))
      lo = mid
    } catch (err) {
      if (!isTooLarge(err)) throw err
      hi = mid
    }
  }
  return best
}

/**
 * Decompresses a channel and splits it into typed batches (`type ++ payload`).
 *
 * Compression is detected from the first byte: low nibble 8 or 15 ⇒ zlib; `0x01` ⇒ brotli.
 * Reading stops quietly, like op-node's channel reader, at the end of the data, at the
 * `maxRlpBytes` cap, at a truncated stream or at the first element that is not an RLP byte
 * string; batches before that point are returned. Throws on an unknown compression byte, on
 * brotli when not allowed and on corrupt compressed data.
 */
export function decodeChannel(compressed: Uint8Array, maxRlpBytes: number, opts: DecodeChannelOptions = {}): Uint8Array[] {
  if (compressed.length === 0) throw new ProtocolError('INVALID_CHANNEL', 'channel data is empty')
  const first = compressed[0]
  let raw: Uint8Array
  if ((first & 0x0f) === 8 || (first & 0x0f) === 15) {
    raw = decompressCapped(compressed, maxRlpBytes, (buf) =>
      zlib.inflateSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxRlpBytes }),
    )
  } else if (first === CHANNEL_VERSION_BROTLI) {
    if (opts.allowBrotli === false) throw new ProtocolError('INVALID_CHANNEL', 'brotli channels are not valid before Fjord')
    raw = decompressCapped(compressed.subarray(1), maxRlpBytes, (buf) =>
      zlib.brotliDecompressSync(buf, {
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        maxOutputLength: maxRlpBytes,
      }),
    )
  } else {
    throw new ProtocolError('INVALID_CHANNEL', `unknown channel compression byte 0x${first.toString(16).padStart(2, '0')}`)
  }
  const batches: Uint8Array[] = []
  let pos = 0
  while (pos < raw.length) {
    let header
    try {
      header = readRlpHeader(raw, pos)
    } catch {
      break
    }
    if (header.isList) break
    batches.push(raw.slice(header.payloadStart, header.end))
    pos = header.end
  }
  return batches
}

/**
 * Cuts channel bytes into frames of at most `maxFrameDataSize` data bytes, numbered from 0; the
 * last frame is closing. Empty data gives one empty closing frame.
 */
export function splitChannelIntoFrames(channelId: Hex, data: Uint8Array, maxFrameDataSize: number): Frame[] {
  fixedBytes(channelId, CHANNEL_ID_LENGTH, 'channel id')
  if (!Number.isInteger(maxFrameDataSize) || maxFrameDataSize < 1 || maxFrameDataSize > MAX_FRAME_DATA_LENGTH) {
    throw new ProtocolError('INVALID_ARGUMENT', `maxFrameDataSize must be an integer in [1, ${MAX_FRAME_DATA_LENGTH}], got ${maxFrameDataSize}`)
  }
  const count = Math.max(1, Math.ceil(data.length / maxFrameDataSize))
  if (count > 0x10000) {
    throw new ProtocolError('INVALID_ARGUMENT', `channel needs ${count} frames, more than uint16 frame numbers allow`)
  }
  const frames: Frame[] = []
  for (let i = 0; i < count; i++) {
    frames.push({
      channelId,
      frameNumber: i,
      data: data.slice(i * maxFrameDataSize, (i + 1) * maxFrameDataSize),
      isLast: i === count - 1,
    })
  }
  return frames
}

/** A fresh random 16-byte channel id. */
export function randomChannelId(): Hex {
  return bytesToHex(new Uint8Array(randomBytes(CHANNEL_ID_LENGTH)))
}
