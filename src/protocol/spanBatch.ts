/**
 * Span batch (type 1, Delta+) decoding per the Delta span-batch spec, rebuilding each
 * transaction's signed EIP-2718 bytes with the L2 chain id, plus conversion to per-block batches.
 */
import { bytesToHex, type Hex } from 'viem'
import type { SingularBatch } from './batch.js'
import { concatBytes, readUvarint, uintMinimal } from './bytes.js'
import { MAX_SPAN_BATCH_ELEMENT_COUNT } from './constants.js'
import { ProtocolError } from './errors.js'
import { asBytes, asList, asUint, decodeRlp, encodeRlp, readRlpHeader, type RlpItem } from './rlp.js'
import { ZERO_HASH } from './types.js'

/** A decoded span batch, with its transactions rebuilt as signed EIP-2718 bytes. */
export interface RawSpanBatch {
  /** First block timestamp minus L2 genesis time. */
  relTimestamp: bigint
  /** L1 origin number of the last block. */
  l1OriginNum: bigint
  /** First 20 bytes of the first block's parent hash. */
  parentCheck: Hex
  /** First 20 bytes of the last block's L1 origin hash. */
  l1OriginCheck: Hex
  blockCount: number
  /** Per block: whether its L1 origin advanced by one. */
  originBits: boolean[]
  /** Per block: number of transactions. */
  blockTxCounts: number[]
  /** All transactions in block order (split with `blockTxCounts`). */
  txs: Hex[]
}

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
  /** Standard bitlist: big-endian integer padded to whole bytes; bit i = block/tx i. */
  bits(n: number, what: string): boolean[] {
    const len = Math.ceil(n / 8)
    const raw = this.bytes(len, what)
    if (n % 8 !== 0 && len > 0 && raw[0] >> (n % 8) !== 0) fail(`${what} has bits beyond its length ${n}`)
    const out: boolean[] = new Array(n)
    for (let i = 0; i < n; i++) out[i] = ((raw[len - 1 - (i >> 3)] >> (i & 7)) & 1) === 1
    return out
  }
}

interface TxData {
  type: number
  fields: RlpItem[]
}

const TX_DATA_FIELDS: Record<number, number> = { 0: 3, 1: 4, 2: 5, 4: 6 }

function readTxData(r: Reader, index: number): TxData {
  let type = 0
  if (r.pos < r.buf.length && r.buf[r.pos] <= 0x7f) {
    type = r.buf[r.pos]
    r.pos++
    if (type !== 1 && type !== 2 && type !== 4) fail(`tx ${index} has unsupported type ${type}`)
  }
  const header = readRlpHeader(r.buf, r.pos, C)
  if (!header.isList) fail(`tx ${index} data is not an RLP list`)
  const fields = asList(decodeRlp(r.buf.subarray(r.pos, header.end), C), `tx ${index} data`, C, TX_DATA_FIELDS[type])
  r.pos = header.end
  const uints = type === 0 || type === 1 ? [0, 1] : [0, 1, 2]
  for (const i of uints) asUint(fields[i], 32, `tx ${index} integer field ${i}`, C)
  asBytes(fields[type === 0 || type === 1 ? 2 : 3], `tx ${index} data`, C)
  if (type !== 0) asList(fields[type === 1 ? 3 : 4], `tx ${index} access list`, C)
  if (type === 4) asList(fields[5], `tx ${index} authorization list`, C)
  return { type, fields }
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
  const sigs: Uint8Array[] = []
  for (let i = 0; i < total; i++) sigs.push(r.bytes(64, 'tx_sigs'))
  const tos: (Uint8Array | null)[] = []
  for (let i = 0; i < total; i++) tos.push(creation[i] ? null : r.bytes(20, 'tx_tos'))
  const datas: TxData[] = []
  for (let i = 0; i < total; i++) datas.push(readTxData(r, i))
  const nonces: bigint[] = []
  for (let i = 0; i < total; i++) nonces.push(r.uvarint('tx_nonces'))
  const gases: bigint[] = []
  for (let i = 0; i < total; i++) gases.push(r.uvarint('tx_gases'))
  const protectedBits = r.bits(datas.filter((d) => d.type === 0).length, 'protected_bits')
  // Like op-node, bytes after the last field are not checked.

  let legacyIndex = 0
  const txs = datas.map((d, i): Hex => {
    const to = tos[i] ?? new Uint8Array(0)
    const sig = sigs[i]
    const rVal = uintMinimal(BigInt(bytesToHex(sig.subarray(0, 32))))
    const sVal = uintMinimal(BigInt(bytesToHex(sig.subarray(32, 64))))
    const y = BigInt(yParity[i] ? 1 : 0)
    const f = d.fields
    const nonce = uintMinimal(nonces[i])
    const gas = uintMinimal(gases[i])
    const chainId = uintMinimal(l2ChainId)
    if (d.type === 0) {
      const v = protectedBits[legacyIndex++] ? l2ChainId * 2n + 35n + y : 27n + y
      return bytesToHex(encodeRlp([nonce, f[1], gas, to, f[0], f[2], uintMinimal(v), rVal, sVal]))
    }
    let body: RlpItem[]
    if (d.type === 1) body = [chainId, nonce, f[1], gas, to, f[0], f[2], f[3]]
    else if (d.type === 2) body = [chainId, nonce, f[1], f[2], gas, to, f[0], f[3], f[4]]
    else {
      if (tos[i] === null) fail(`tx ${i}: set-code transactions cannot create contracts`)
      body = [chainId, nonce, f[1], f[2], gas, to, f[0], f[3], f[4], f[5]]
    }
    return bytesToHex(concatBytes(Uint8Array.of(d.type), encodeRlp([...body, uintMinimal(y), rVal, sVal])))
  })
  return { relTimestamp, l1OriginNum, parentCheck, l1OriginCheck, blockCount, originBits, blockTxCounts, txs }
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
 * `l1Origins(number)`. `parentHash` is left as {@link ZERO_HASH}: like op-node, the consumer sets
 * it to the safe head hash when it takes each batch. Throws if an origin is unknown.
 */
export function spanBatchToSingularBatches(
  span: RawSpanBatch,
  timing: SpanBatchTiming,
  l1Origins: (number: number) => Hex | undefined,
): SingularBatch[] {
  return spanBatchElements(span, timing).map((el) => {
    const epochHash = l1Origins(Number(el.epochNumber))
    if (epochHash === undefined) fail(`unknown L1 origin ${el.epochNumber}`)
    return {
      parentHash: ZERO_HASH,
      epochNumber: el.epochNumber,
      epochHash: epochHash as Hex,
      timestamp: el.timestamp,
      transactions: el.transactions,
    }
  })
}
