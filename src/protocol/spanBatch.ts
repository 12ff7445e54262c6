/**
 * Span batch (type 1, Delta+) codec per the Delta span-batch spec, plus conversion between a span
 * and the singular batches (one per L2 block) it stands for.
 *
 * `span_batch = 0x01 ++ rel_timestamp ++ l1_origin_num ++ parent_check ++ l1_origin_check ++ block_count
 * ++ origin_bits ++ block_tx_counts ++ contract_creation_bits ++ y_parity_bits ++ tx_sigs ++ tx_tos ++ tx_datas
 * ++ tx_nonces ++ tx_gases ++ protected_bits` (uvarints; bitlists are big-endian integers padded to whole bytes).
 */
import { bytesToHex, type Hex } from 'viem'
import { SPAN_BATCH_TYPE, type RawSpanBatch, type SingularBatch } from './batchTypes.js'
import { concatBytes, fixedBytes, readUvarint, writeUvarint } from './bytes.js'
import { MAX_SPAN_BATCH_ELEMENT_COUNT } from './constants.js'
import { ProtocolError } from './errors.js'
import { readSpanTxData, signedTxFromSpan, spanTxData, spanTxFromSigned, type SpanTx } from './spanBatchTx.js'
import { ZERO_HASH } from './types.js'

const C = 'INVALID_SPAN_BATCH' as const
const fail = (msg: string): never => {
  throw new ProtocolError(C, `span batch: ${msg}`)
}

class Reader {
  pos = 0
  constructor(readonly buf: Uint8Array) {}
  uvarint(what: string): bigint {
    const { value, end } = readUvarint(this.buf, this.pos, `span batch ${what}`, C)
    this.pos = end
    return value
  }
  count(what: string): number {
    const v = this.uvarint(what)
    if (v > BigInt(MAX_SPAN_BATCH_ELEMENT_COUNT)) fail(`${what} ${v} exceeds ${MAX_SPAN_BATCH_ELEMENT_COUNT}`)
    return Number(v)
  }
  bytes(n: number, what: string): Uint8Array {
    if (this.pos + n > this.buf.length) fail(`unexpected end of data reading ${what}`)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
  /** Bitlist: big-endian integer padded to whole bytes; bit i = block/tx i. */
  bits(n: number, what: string): boolean[] {
    const len = Math.ceil(n / 8)
    const raw = this.bytes(len, what)
    if (n % 8 !== 0 && len > 0 && raw[0] >> (n % 8) !== 0) fail(`${what} has bits beyond its length ${n}`)
    const out: boolean[] = new Array(n)
    for (let i = 0; i < n; i++) out[i] = ((raw[len - 1 - (i >> 3)] >> (i & 7)) & 1) === 1
    return out
  }
}

/** Writes a bitlist: bit i of a big-endian integer, padded to whole bytes. */
function writeBits(bits: boolean[]): Uint8Array {
  const len = Math.ceil(bits.length / 8)
  const out = new Uint8Array(len)
  bits.forEach((b, i) => {
    if (b) out[len - 1 - (i >> 3)] |= 1 << (i & 7)
  })
  return out
}

/** Decodes a span batch payload (bytes after the type byte); trailing bytes are ignored as in op-node. */
export function decodeSpanBatch(payload: Uint8Array, l2ChainId: bigint): RawSpanBatch {
  const r = new Reader(payload)
  const relTimestamp = r.uvarint('rel_timestamp')
  const l1OriginNum = r.uvarint('l1_origin_num')
  const parentCheck = bytesToHex(r.bytes(20, 'parent_check'))
  const l1OriginCheck = bytesToHex(r.bytes(20, 'l1_origin_check'))
  const blockCount = r.count('block_count')
  if (blockCount === 0) fail('block_count must be at least 1')
  const originBits = r.bits(blockCount, 'origin_bits')
  const blockTxCounts: number[] = []
  let total = 0
  for (let i = 0; i < blockCount; i++) {
    const n = r.count('block tx count')
    total += n
    if (total > MAX_SPAN_BATCH_ELEMENT_COUNT) fail(`total tx count exceeds ${MAX_SPAN_BATCH_ELEMENT_COUNT}`)
    blockTxCounts.push(n)
  }
  const creation = r.bits(total, 'contract_creation_bits')
  const yParity = r.bits(total, 'y_parity_bits')
  const txs: SpanTx[] = []
  for (let i = 0; i < total; i++) {
    txs.push({ type: 0, fields: [], to: null, yParity: yParity[i], sig: r.bytes(64, 'tx_sigs'), nonce: 0n, gas: 0n, protected: false })
  }
  for (let i = 0; i < total; i++) if (!creation[i]) txs[i].to = r.bytes(20, 'tx_tos')
  for (let i = 0; i < total; i++) {
    const d = readSpanTxData(r.buf, r.pos, i)
    txs[i].type = d.type
    txs[i].fields = d.fields
    r.pos = d.end
  }
  for (const tx of txs) tx.nonce = r.uvarint('tx_nonces')
  for (const tx of txs) tx.gas = r.uvarint('tx_gases')
  const legacy = txs.filter((tx) => tx.type === 0)
  r.bits(legacy.length, 'protected_bits').forEach((p, i) => (legacy[i].protected = p))
  // Like op-node, bytes after the last field are not checked.
  const signed = txs.map((tx, i) => signedTxFromSpan(tx, l2ChainId, i))
  return { relTimestamp, l1OriginNum, parentCheck, l1OriginCheck, blockCount, originBits, blockTxCounts, txs: signed }
}

/** Encodes `0x01 ++ prefix ++ payload`; every transaction must be signed for `l2ChainId`. */
export function encodeSpanBatch(span: RawSpanBatch, l2ChainId: bigint): Uint8Array {
  const n = span.blockCount
  if (n < 1 || n > MAX_SPAN_BATCH_ELEMENT_COUNT) fail(`block_count must be between 1 and ${MAX_SPAN_BATCH_ELEMENT_COUNT}, found ${n}`)
  if (span.originBits.length !== n || span.blockTxCounts.length !== n) fail(`origin_bits and block_tx_counts need ${n} entries`)
  const total = span.blockTxCounts.reduce((a, b) => a + b, 0)
  if (total !== span.txs.length) fail(`block_tx_counts sum to ${total} but there are ${span.txs.length} txs`)
  if (total > MAX_SPAN_BATCH_ELEMENT_COUNT) fail(`total tx count exceeds ${MAX_SPAN_BATCH_ELEMENT_COUNT}`)
  const txs = span.txs.map((raw, i) => spanTxFromSigned(raw, l2ChainId, i))
  return concatBytes(
    Uint8Array.of(SPAN_BATCH_TYPE),
    writeUvarint(span.relTimestamp),
    writeUvarint(span.l1OriginNum),
    fixedBytes(span.parentCheck, 20, 'parent_check', C),
    fixedBytes(span.l1OriginCheck, 20, 'l1_origin_check', C),
    writeUvarint(n),
    writeBits(span.originBits),
    ...span.blockTxCounts.map((c) => writeUvarint(c)),
    writeBits(txs.map((tx) => tx.to === null)),
    writeBits(txs.map((tx) => tx.yParity)),
    ...txs.map((tx) => tx.sig),
    ...txs.flatMap((tx) => (tx.to === null ? [] : [tx.to])),
    ...txs.map(spanTxData),
    ...txs.map((tx) => writeUvarint(tx.nonce)),
    ...txs.map((tx) => writeUvarint(tx.gas)),
    writeBits(txs.filter((tx) => tx.type === 0).map((tx) => tx.protected)),
  )
}

/** One block of a span batch, with its derived timestamp and L1 origin number. */
export interface SpanBatchElement {
  epochNumber: bigint
  timestamp: bigint
  transactions: Hex[]
}

/** Block timing needed to expand a span batch. */
export interface SpanBatchTiming {
  l2GenesisTime: number | bigint
  blockTime: number | bigint
}

/**
 * Expands a span batch into per-block elements: block i has timestamp
 * `l2GenesisTime + relTimestamp + i * blockTime`; origins count back from `l1OriginNum` using
 * `originBits` (the first block's bit does not move the origin of later blocks).
 */
export function spanBatchElements(span: RawSpanBatch, timing: SpanBatchTiming): SpanBatchElement[] {
  const n = span.blockCount
  const origins: bigint[] = new Array(n)
  let origin = span.l1OriginNum
  for (let i = n - 1; i >= 0; i--) {
    origins[i] = origin
    if (span.originBits[i] && i > 0) origin--
  }
  if (origin < 0n) fail('origin bits step below L1 block 0')
  const out: SpanBatchElement[] = []
  let txIndex = 0
  for (let i = 0; i < n; i++) {
    const count = span.blockTxCounts[i]
    out.push({
      epochNumber: origins[i],
      timestamp: BigInt(timing.l2GenesisTime) + span.relTimestamp + BigInt(i) * BigInt(timing.blockTime),
      transactions: span.txs.slice(txIndex, txIndex + count),
    })
    txIndex += count
  }
  return out
}

/**
 * Converts a span batch into singular batches, looking up each block's L1 origin hash with
 * `l1Origins(number)`. Given the safe head, blocks at or before it are skipped (op-node's
 * `GetSingularBatches`). `parentHash` is left as {@link ZERO_HASH}: like op-node, the consumer sets
 * it to the safe head hash when it takes each batch. Throws if an origin is unknown.
 */
export function spanBatchToSingularBatches(
  span: RawSpanBatch,
  timing: SpanBatchTiming,
  l1Origins: (number: number) => Hex | undefined,
  safeHead?: { timestamp: number },
): SingularBatch[] {
  const after = BigInt(safeHead?.timestamp ?? -1)
  return spanBatchElements(span, timing).filter((el) => el.timestamp > after).map((el) => {
    const epochHash = l1Origins(Number(el.epochNumber))
    if (epochHash === undefined) fail(`unknown L1 origin ${el.epochNumber}`)
    return { parentHash: ZERO_HASH, epochNumber: el.epochNumber, epochHash: epochHash as Hex, timestamp: el.timestamp, transactions: el.transactions }
  })
}

/**
 * Builds the span batch for consecutive L2 blocks given as singular batches, as op-batcher does:
 * block 0's origin bit says whether it starts an epoch (`firstSequenceNumber === 0`), later bits
 * whether the origin advanced. Throws unless timestamps step by `blockTime` and origins by 0 or 1.
 */
export function singularBatchesToSpan(batches: SingularBatch[], firstSequenceNumber: number, timing: SpanBatchTiming): RawSpanBatch {
  if (batches.length === 0) fail('needs at least one block')
  const first = batches[0]
  const last = batches[batches.length - 1]
  batches.forEach((b, i) => {
    if (i === 0) return
    const prev = batches[i - 1]
    if (b.timestamp !== prev.timestamp + BigInt(timing.blockTime)) fail(`block ${i} timestamp ${b.timestamp} does not follow ${prev.timestamp}`)
    const step = b.epochNumber - prev.epochNumber
    if (step !== 0n && step !== 1n) fail(`block ${i} origin ${b.epochNumber} does not follow ${prev.epochNumber}`)
  })
  const relTimestamp = first.timestamp - BigInt(timing.l2GenesisTime)
  if (relTimestamp < 0n) fail(`first timestamp ${first.timestamp} is before L2 genesis`)
  return {
    relTimestamp,
    l1OriginNum: last.epochNumber,
    parentCheck: first.parentHash.slice(0, 42) as Hex,
    l1OriginCheck: last.epochHash.slice(0, 42) as Hex,
    blockCount: batches.length,
    originBits: batches.map((b, i) => (i === 0 ? firstSequenceNumber === 0 : b.epochNumber !== batches[i - 1].epochNumber)),
    blockTxCounts: batches.map((b) => b.transactions.length),
    txs: batches.flatMap((b) => b.transactions),
  }
}
