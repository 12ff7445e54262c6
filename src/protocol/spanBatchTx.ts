/**
 * One transaction of a span batch, split into the span's columns (signature, to, tx_data, nonce,
 * gas, protection) and joined back into signed EIP-2718 bytes. The L2 chain id is implied.
 */
import { bytesToHex, type Hex } from 'viem'
import { concatBytes, readUintBE, toBytes, uintMinimal, uintToBytes } from './bytes.js'
import { ProtocolError } from './errors.js'
import { asBytes, asFixed, asList, asUint, decodeRlp, encodeRlp, readRlpHeader, type RlpItem } from './rlp.js'

const C = 'INVALID_SPAN_BATCH' as const
const fail = (msg: string): never => {
  throw new ProtocolError(C, `span batch: ${msg}`)
}

/** A transaction in span-batch columns. */
export interface SpanTx {
  /** 0 legacy, 1 access list, 2 dynamic fee, 4 set code (Isthmus). */
  type: number
  /** The `tx_data` list: legacy `[value, gasPrice, data]`, type 1 adds `accessList`, 2 `[value, tip, feeCap, data, accessList]`, 4 adds `authorizationList`. */
  fields: RlpItem[]
  /** Recipient; null for a contract creation. */
  to: Uint8Array | null
  yParity: boolean
  /** `r ++ s`, 32 bytes each. */
  sig: Uint8Array
  nonce: bigint
  gas: bigint
  /** Legacy only: EIP-155 protected. */
  protected: boolean
}

const TX_DATA_FIELDS: Record<number, number> = { 0: 3, 1: 4, 2: 5, 4: 6 }

/** Checks a `tx_data` list for its type; returns the fields. */
function checkTxData(type: number, item: RlpItem, index: number): RlpItem[] {
  const fields = asList(item, `tx ${index} data`, C, TX_DATA_FIELDS[type])
  const uints = type === 0 || type === 1 ? [0, 1] : [0, 1, 2]
  for (const i of uints) asUint(fields[i], 32, `tx ${index} integer field ${i}`, C)
  asBytes(fields[type === 0 || type === 1 ? 2 : 3], `tx ${index} data`, C)
  if (type !== 0) asList(fields[type === 1 ? 3 : 4], `tx ${index} access list`, C)
  if (type === 4) asList(fields[5], `tx ${index} authorization list`, C)
  return fields
}

/** Reads one `tx_data` entry at `pos`: `[type] ++ rlp(list)`. */
export function readSpanTxData(buf: Uint8Array, pos: number, index: number): { type: number; fields: RlpItem[]; end: number } {
  let type = 0
  if (pos < buf.length && buf[pos] <= 0x7f) {
    type = buf[pos]
    pos++
    if (TX_DATA_FIELDS[type] === undefined) fail(`tx ${index} has unsupported type ${type}`)
  }
  const header = readRlpHeader(buf, pos, C)
  if (!header.isList) fail(`tx ${index} data is not an RLP list`)
  const fields = checkTxData(type, decodeRlp(buf.subarray(pos, header.end), C), index)
  return { type, fields, end: header.end }
}

/** The `tx_data` bytes of a transaction. */
export function spanTxData(tx: SpanTx): Uint8Array {
  const list = encodeRlp(tx.fields)
  return tx.type === 0 ? list : concatBytes(Uint8Array.of(tx.type), list)
}

/** Rebuilds the signed EIP-2718 bytes of a span transaction. */
export function signedTxFromSpan(tx: SpanTx, l2ChainId: bigint, index: number): Hex {
  const to = tx.to ?? new Uint8Array(0)
  const r = uintMinimal(readUintBE(tx.sig, 0, 32))
  const s = uintMinimal(readUintBE(tx.sig, 32, 32))
  const y = tx.yParity ? 1n : 0n
  const f = tx.fields
  const nonce = uintMinimal(tx.nonce)
  const gas = uintMinimal(tx.gas)
  if (tx.type === 0) {
    const v = tx.protected ? l2ChainId * 2n + 35n + y : 27n + y
    return bytesToHex(encodeRlp([nonce, f[1], gas, to, f[0], f[2], uintMinimal(v), r, s]))
  }
  const chainId = uintMinimal(l2ChainId)
  let body: RlpItem[]
  if (tx.type === 1) body = [chainId, nonce, f[1], gas, to, f[0], f[2], f[3]]
  else if (tx.type === 2) body = [chainId, nonce, f[1], f[2], gas, to, f[0], f[3], f[4]]
  else {
    if (tx.to === null) fail(`tx ${index}: set-code transactions cannot create contracts`)
    body = [chainId, nonce, f[1], f[2], gas, to, f[0], f[3], f[4], f[5]]
  }
  return bytesToHex(concatBytes(Uint8Array.of(tx.type), encodeRlp([...body, uintMinimal(y), r, s])))
}

/** Field positions inside each signed transaction list: [chainId, nonce, gas, to, tx_data fields…, yParity/v, r, s]. */
const LAYOUT: Record<number, { length: number; chainId?: number; nonce: number; gas: number; to: number; data: number[] }> = {
  0: { length: 9, nonce: 0, gas: 2, to: 3, data: [4, 1, 5] },
  1: { length: 11, chainId: 0, nonce: 1, gas: 3, to: 4, data: [5, 2, 6, 7] },
  2: { length: 12, chainId: 0, nonce: 1, gas: 4, to: 5, data: [6, 2, 3, 7, 8] },
  4: { length: 13, chainId: 0, nonce: 1, gas: 4, to: 5, data: [6, 2, 3, 7, 8, 9] },
}

/**
 * Splits signed EIP-2718 bytes into span columns. Throws for deposits and other types a span
 * batch cannot carry, and for a chain id other than `l2ChainId`.
 */
export function spanTxFromSigned(raw: Hex, l2ChainId: bigint, index: number): SpanTx {
  const bytes = toBytes(raw, `tx ${index}`, C)
  if (bytes.length === 0) fail(`tx ${index} is empty`)
  const type = bytes[0] >= 0xc0 ? 0 : bytes[0]
  const layout = LAYOUT[type]
  if (!layout) fail(`tx ${index} has type ${type}, which a span batch cannot carry`)
  const list = asList(decodeRlp(type === 0 ? bytes : bytes.subarray(1), C), `tx ${index}`, C, layout.length)
  const [vItem, rItem, sItem] = list.slice(-3)
  const v = asUint(vItem, 32, `tx ${index} v`, C)
  let yParity: boolean
  let isProtected = false
  if (type === 0) {
    if (v === 27n || v === 28n) yParity = v === 28n
    else {
      if ((v - 35n) / 2n !== l2ChainId || v < 35n) fail(`tx ${index} is signed for another chain (v ${v})`)
      yParity = (v - 35n) % 2n === 1n
      isProtected = true
    }
  } else {
    const chainId = asUint(list[layout.chainId!], 32, `tx ${index} chain id`, C)
    if (chainId !== l2ChainId) fail(`tx ${index} has chain id ${chainId}, expected ${l2ChainId}`)
    if (v > 1n) fail(`tx ${index} has y parity ${v}`)
    yParity = v === 1n
  }
  const toItem = asBytes(list[layout.to], `tx ${index} to`, C)
  const to = toItem.length === 0 ? null : asFixed(toItem, 20, `tx ${index} to`, C)
  if (type === 4 && to === null) fail(`tx ${index}: set-code transactions cannot create contracts`)
  const sig = concatBytes(
    uintToBytes(asUint(rItem, 32, `tx ${index} r`, C), 32, 'r'),
    uintToBytes(asUint(sItem, 32, `tx ${index} s`, C), 32, 's'),
  )
  return {
    type,
    fields: checkTxData(type, layout.data.map((i) => list[i]), index),
    to,
    yParity,
    sig,
    nonce: asUint(list[layout.nonce], 8, `tx ${index} nonce`, C),
    gas: asUint(list[layout.gas], 8, `tx ${index} gas`, C),
    protected: isProtected,
  }
}
