/**
 * Channel frames and the calldata batcher-transaction wrapper (`0x00 ++ frame ++ frame ++ …`).
 */
import { bytesToHex, type Hex } from 'viem'
import { concatBytes, fixedBytes, readUintBE, toBytes, uintToBytes } from './bytes.js'
import { CHANNEL_ID_LENGTH, DERIVATION_VERSION_0, FRAME_OVERHEAD, MAX_FRAME_DATA_LENGTH } from './constants.js'
import { ProtocolError } from './errors.js'

/** One frame of a channel. */
export interface Frame {
  /** 16-byte channel id. */
  channelId: Hex
  /** uint16 position of the frame in its channel. */
  frameNumber: number
  data: Uint8Array
  /** Closing frame of the channel. */
  isLast: boolean
}

/**
 * Encodes `channel_id ++ frame_number (u16) ++ frame_data_length (u32) ++ frame_data ++ is_last (u8)`.
 * Throws if a field does not fit its width or the data exceeds {@link MAX_FRAME_DATA_LENGTH}.
 */
export function encodeFrame(f: Frame): Uint8Array {
  const id = fixedBytes(f.channelId, CHANNEL_ID_LENGTH, 'frame channel id', 'INVALID_FRAME')
  if (!Number.isInteger(f.frameNumber) || f.frameNumber < 0 || f.frameNumber > 0xffff) {
    throw new ProtocolError('INVALID_FRAME', `frame number ${f.frameNumber} does not fit in uint16`)
  }
  if (f.data.length > MAX_FRAME_DATA_LENGTH) {
    throw new ProtocolError('INVALID_FRAME', `frame data of ${f.data.length} bytes exceeds ${MAX_FRAME_DATA_LENGTH}`)
  }
  return concatBytes(
    id,
    uintToBytes(f.frameNumber, 2, 'frame number'),
    uintToBytes(f.data.length, 4, 'frame data length'),
    f.data,
    Uint8Array.of(f.isLast ? 1 : 0),
  )
}

/** Encoded size of a frame carrying `dataLength` bytes. */
export function frameSize(dataLength: number): number {
  return FRAME_OVERHEAD + dataLength
}

/**
 * Decodes one frame at `offset`. Throws on truncation, oversized data length or an `is_last`
 * byte other than 0/1.
 */
export function decodeFrame(bytes: Uint8Array, offset = 0): { frame: Frame; end: number } {
  const at = `frame at offset ${offset}`
  if (bytes.length - offset < FRAME_OVERHEAD - 1) {
    throw new ProtocolError('INVALID_FRAME', `${at} is truncated: ${bytes.length - offset} bytes left, need at least ${FRAME_OVERHEAD}`)
  }
  const channelId = bytesToHex(bytes.subarray(offset, offset + CHANNEL_ID_LENGTH))
  const frameNumber = Number(readUintBE(bytes, offset + 16, 2))
  const length = Number(readUintBE(bytes, offset + 18, 4))
  if (length > MAX_FRAME_DATA_LENGTH) {
    throw new ProtocolError('INVALID_FRAME', `${at}: frame_data_length ${length} exceeds ${MAX_FRAME_DATA_LENGTH}`)
  }
  const dataStart = offset + 22
  if (dataStart + length + 1 > bytes.length) {
    throw new ProtocolError('INVALID_FRAME', `${at} is truncated: declares ${length} data bytes`)
  }
  const isLastByte = bytes[dataStart + length]
  if (isLastByte > 1) {
    throw new ProtocolError('INVALID_FRAME', `${at}: is_last must be 0 or 1, got ${isLastByte}`)
  }
  return {
    frame: { channelId, frameNumber, data: bytes.slice(dataStart, dataStart + length), isLast: isLastByte === 1 },
    end: dataStart + length + 1,
  }
}

/** Calldata of a batcher transaction: the version byte `0x00` followed by the encoded frames. */
export function encodeBatcherTxData(frames: Frame[]): Hex {
  if (frames.length === 0) throw new ProtocolError('INVALID_BATCHER_TX', 'a batcher transaction needs at least one frame')
  return bytesToHex(concatBytes(Uint8Array.of(DERIVATION_VERSION_0), ...frames.map(encodeFrame)))
}

/**
 * Parses batcher-transaction data into frames. Any malformed frame, trailing bytes, an unknown
 * version byte or an empty payload throws: per spec all frames of such a transaction are dropped.
 */
export function parseBatcherTxData(data: Hex | Uint8Array): Frame[] {
  const bytes = toBytes(data, 'batcher transaction data', 'INVALID_BATCHER_TX')
  if (bytes.length === 0) throw new ProtocolError('INVALID_BATCHER_TX', 'batcher transaction data is empty')
  if (bytes[0] !== DERIVATION_VERSION_0) {
    throw new ProtocolError('INVALID_BATCHER_TX', `unknown derivation version byte 0x${bytes[0].toString(16).padStart(2, '0')}`)
  }
  const frames: Frame[] = []
  let offset = 1
  while (offset < bytes.length) {
    const { frame, end } = decodeFrame(bytes, offset)
    frames.push(frame)
    offset = end
  }
  if (frames.length === 0) throw new ProtocolError('INVALID_BATCHER_TX', 'batcher transaction carries no frames')
  return frames
}
