/**
 * Batches inside channels: the singular batch codec (type 0) and the typed-batch decoder that
 * dispatches to the span batch codec (`spanBatch.ts`, type 1, Delta+). Batch-queue rules live in
 * `batchValidity.ts` and `spanBatchValidity.ts`.
 */
import { bytesToHex } from 'viem'
import { SINGULAR_BATCH_TYPE, SPAN_BATCH_TYPE, type DecodedBatch, type SingularBatch } from './batchTypes.js'
import { concatBytes, fixedBytes, toBytes, uintMinimal } from './bytes.js'
import { ProtocolError } from './errors.js'
import { asBytes, asFixed, asList, asUint, decodeRlp, encodeRlp } from './rlp.js'
import { decodeSpanBatch } from './spanBatch.js'

export { SINGULAR_BATCH_TYPE, SPAN_BATCH_TYPE, type DecodedBatch, type RawSpanBatch, type SingularBatch } from './batchTypes.js'

/** Encodes `0x00 ++ rlp([parent_hash, epoch_number, epoch_hash, timestamp, transaction_list])`. */
export function encodeSingularBatch(b: SingularBatch): Uint8Array {
  if (b.epochNumber >= 1n << 64n || b.timestamp >= 1n << 64n) {
    throw new ProtocolError('INVALID_BATCH', 'epoch number and timestamp must fit in uint64')
  }
  const body = encodeRlp([
    fixedBytes(b.parentHash, 32, 'batch parent hash', 'INVALID_BATCH'),
    uintMinimal(b.epochNumber),
    fixedBytes(b.epochHash, 32, 'batch epoch hash', 'INVALID_BATCH'),
    uintMinimal(b.timestamp),
    b.transactions.map((tx, i) => toBytes(tx, `batch transaction ${i}`, 'INVALID_BATCH')),
  ])
  return concatBytes(Uint8Array.of(SINGULAR_BATCH_TYPE), body)
}

/** Decodes the RLP payload of a singular batch (without the type byte). */
export function decodeSingularBatchPayload(payload: Uint8Array): SingularBatch {
  const c = 'INVALID_BATCH' as const
  const [parent, epochNum, epochHash, timestamp, txs] = asList(decodeRlp(payload, c), 'singular batch', c, 5)
  return {
    parentHash: bytesToHex(asFixed(parent, 32, 'parent_hash', c)),
    epochNumber: asUint(epochNum, 8, 'epoch_number', c),
    epochHash: bytesToHex(asFixed(epochHash, 32, 'epoch_hash', c)),
    timestamp: asUint(timestamp, 8, 'timestamp', c),
    transactions: asList(txs, 'transaction_list', c).map((tx, i) => bytesToHex(asBytes(tx, `transaction ${i}`, c))),
  }
}

/**
 * Decodes a typed batch as read from a channel. Span batches need the L2 chain id to rebuild
 * signed transactions. Throws on unknown batch types and malformed content.
 */
export function decodeBatch(bytes: Uint8Array, opts: { l2ChainId?: bigint | number } = {}): DecodedBatch {
  if (bytes.length === 0) throw new ProtocolError('INVALID_BATCH', 'batch is empty')
  const type = bytes[0]
  if (type === SINGULAR_BATCH_TYPE) return { type: 0, batch: decodeSingularBatchPayload(bytes.subarray(1)) }
  if (type === SPAN_BATCH_TYPE) {
    if (opts.l2ChainId === undefined) {
      throw new ProtocolError('INVALID_ARGUMENT', 'decoding a span batch needs opts.l2ChainId')
    }
    return { type: 1, span: decodeSpanBatch(bytes.subarray(1), BigInt(opts.l2ChainId)) }
  }
  throw new ProtocolError('INVALID_BATCH', `unknown batch type ${type}`)
}
