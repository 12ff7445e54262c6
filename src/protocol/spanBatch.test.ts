import { concat, concatBytes, hexToBytes, parseTransaction, toHex, toRlp, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { decodeBatch, type RawSpanBatch } from './batch.js'
import { encodeSpanBatch, singularBatchesToSpan, spanBatchElements, spanBatchToSingularBatches } from './spanBatch.js'
import { ProtocolError } from './errors.js'

const CHAIN_ID = 901
const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const TO: Hex = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'

/** protobuf uvarint, written independently of the implementation. */
function uvarint(n: number | bigint): number[] {
  let v = BigInt(n)
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return out
}

/** Span-batch bitlist: big-endian integer with bit i set for element i, padded to whole bytes. */
function bitlist(bits: boolean[]): number[] {
  let v = 0n
  bits.forEach((b, i) => {
    if (b) v |= 1n << BigInt(i)
  })
  const len = Math.ceil(bits.length / 8)
  return Array.from({ length: len }, (_, i) => Number((v >> BigInt(8 * (len - 1 - i))) & 0xffn))
}

const q = (n: bigint | number | undefined): Hex => (!n ? '0x' : toHex(n))
const al = (list: readonly { address: Hex; storageKeys: readonly Hex[] }[] | undefined) =>
  (list ?? []).map((e) => [e.address, [...e.storageKeys]])

/** Encodes a span batch from signed txs following the Delta spec layout. */
function encodeSpan(args: { rel: number; originNum: number; parent: Hex; originHash: Hex; originBits: boolean[]; blocks: Hex[][] }): Uint8Array {
  const txs = args.blocks.flat().map((raw) => ({ raw, tx: parseTransaction(raw) }))
  const datas: Uint8Array[] = []
  const protectedBits: boolean[] = []
  for (const { raw, tx } of txs) {
    if (tx.type === 'legacy') {
      datas.push(toRlp([q(tx.value), q(tx.gasPrice), tx.data ?? '0x'], 'bytes'))
      protectedBits.push(tx.chainId !== undefined)
    } else if (tx.type === 'eip2930') {
      datas.push(concatBytes([Uint8Array.of(1), toRlp([q(tx.value), q(tx.gasPrice), tx.data ?? '0x', al(tx.accessList)], 'bytes')]))
    } else if (tx.type === 'eip1559') {
      datas.push(concatBytes([Uint8Array.of(2), toRlp([q(tx.value), q(tx.maxPriorityFeePerGas), q(tx.maxFeePerGas), tx.data ?? '0x', al(tx.accessList)], 'bytes')]))
    } else if (tx.type === 'eip7702') {
      const auth = tx.authorizationList.map((a) => [q(a.chainId), a.address, q(a.nonce), q(a.yParity), q(BigInt(a.r)), q(BigInt(a.s))])
      datas.push(concatBytes([Uint8Array.of(4), toRlp([q(tx.value), q(tx.maxPriorityFeePerGas), q(tx.maxFeePerGas), tx.data ?? '0x', al(tx.accessList), auth], 'bytes')]))
    } else throw new Error(`unexpected ${tx.type} in ${raw}`)
  }
  const yParity = txs.map(({ tx }) => (tx.yParity !== undefined ? tx.yParity === 1 : (tx.v as bigint) % 2n === 0n))
  return Uint8Array.from([
    1,
    ...uvarint(args.rel),
    ...uvarint(args.originNum),
    ...hexToBytes(args.parent).slice(0, 20),
    ...hexToBytes(args.originHash).slice(0, 20),
    ...uvarint(args.blocks.length),
    ...bitlist(args.originBits),
    ...args.blocks.flatMap((b) => uvarint(b.length)),
    ...bitlist(txs.map(({ tx }) => !tx.to)),
    ...bitlist(yParity),
    ...txs.flatMap(({ tx }) => [...hexToBytes(tx.r as Hex, { size: 32 }), ...hexToBytes(tx.s as Hex, { size: 32 })]),
    ...txs.flatMap(({ tx }) => (tx.to ? [...hexToBytes(tx.to)] : [])),
    ...datas.flatMap((d) => [...d]),
    ...txs.flatMap(({ tx }) => uvarint(tx.nonce ?? 0)),
    ...txs.flatMap(({ tx }) => uvarint(tx.gas as bigint)),
    ...bitlist(protectedBits),
  ])
}

async function signedTxs(): Promise<Hex[]> {
  const auth = await account.signAuthorization({ chainId: CHAIN_ID, address: TO, nonce: 9 })
  return [
    await account.signTransaction({ type: 'legacy', chainId: CHAIN_ID, nonce: 0, to: TO, value: 1n, gas: 21000n, gasPrice: 1_000_000_000n }),
    await account.signTransaction({ type: 'legacy', nonce: 1, to: TO, value: 0n, gas: 21000n, gasPrice: 7n, data: '0x1234' }),
    await account.signTransaction({
      type: 'eip2930', chainId: CHAIN_ID, nonce: 2, to: TO, gas: 50000n, gasPrice: 3n,
      accessList: [{ address: TO, storageKeys: [`0x${'01'.repeat(32)}`] }],
    }),
    await account.signTransaction({ type: 'eip1559', chainId: CHAIN_ID, nonce: 3, gas: 100000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 2n, data: '0x6000' }),
    await account.signTransaction({ type: 'eip1559', chainId: CHAIN_ID, nonce: 300, to: TO, value: 10n ** 18n, gas: 21000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n }),
    await account.signTransaction({ type: 'eip7702', chainId: CHAIN_ID, nonce: 4, to: TO, gas: 80000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 2n, authorizationList: [auth] }),
  ]
}

const PARENT: Hex = `0x${'12'.repeat(32)}`
const ORIGIN_HASH: Hex = `0x${'34'.repeat(32)}`

describe('decodeBatch (span)', () => {
  test('default: rebuilds every signed transaction byte for byte', async () => {
    const txs = await signedTxs()
    const blocks = [txs.slice(0, 2), [], txs.slice(2, 6)]
    const bytes = encodeSpan({ rel: 600, originNum: 101, parent: PARENT, originHash: ORIGIN_HASH, originBits: [true, false, true], blocks })
    const decoded = decodeBatch(bytes, { l2ChainId: CHAIN_ID })
    expect(decoded.type).toBe(1)
    const span = (decoded as { span: RawSpanBatch }).span
    expect(span).toEqual({
      relTimestamp: 600n,
      l1OriginNum: 101n,
      parentCheck: PARENT.slice(0, 42),
      l1OriginCheck: ORIGIN_HASH.slice(0, 42),
      blockCount: 3,
      originBits: [true, false, true],
      blockTxCounts: [2, 0, 4],
      txs,
    })
  })

  test('behavior: spanBatchElements derives timestamps and origins', async () => {
    const txs = await signedTxs()
    const bytes = encodeSpan({ rel: 600, originNum: 101, parent: PARENT, originHash: ORIGIN_HASH, originBits: [true, false, true, true], blocks: [[txs[0]], [], [], [txs[1]]] })
    const { span } = decodeBatch(bytes, { l2ChainId: CHAIN_ID }) as { span: RawSpanBatch }
    const els = spanBatchElements(span, { l2GenesisTime: 1000, blockTime: 2 })
    expect(els.map((e) => [e.timestamp, e.epochNumber, e.transactions.length])).toEqual([
      [1600n, 99n, 1],
      [1602n, 99n, 0],
      [1604n, 100n, 0],
      [1606n, 101n, 1],
    ])
    const hashes: Record<number, Hex> = { 99: `0x${'99'.repeat(32)}`, 100: `0x${'a0'.repeat(32)}`, 101: ORIGIN_HASH }
    const singles = spanBatchToSingularBatches(span, { l2GenesisTime: 1000, blockTime: 2 }, (n) => hashes[n])
    expect(singles.map((s) => s.epochHash)).toEqual([hashes[99], hashes[99], hashes[100], hashes[101]])
    expect(singles[3].transactions).toEqual([txs[1]])
    expect(() => spanBatchToSingularBatches(span, { l2GenesisTime: 1000, blockTime: 2 }, () => undefined)).toThrow(/unknown L1 origin 99/)
    // After a safe head at 1602, only the blocks after it, and only their origins are looked up.
    const after = spanBatchToSingularBatches(span, { l2GenesisTime: 1000, blockTime: 2 }, (n) => (n >= 100 ? hashes[n] : undefined), { timestamp: 1602 })
    expect(after.map((s) => [s.timestamp, s.epochHash])).toEqual([[1604n, hashes[100]], [1606n, hashes[101]]])
  })

  test('error: zero blocks', () => {
    const bytes = Uint8Array.from([1, 0, 0, ...new Uint8Array(40), 0])
    expect(() => decodeBatch(bytes, { l2ChainId: CHAIN_ID })).toThrow(/block_count/)
  })

  test('error: truncated', async () => {
    const txs = await signedTxs()
    const bytes = encodeSpan({ rel: 0, originNum: 1, parent: PARENT, originHash: ORIGIN_HASH, originBits: [false], blocks: [txs] })
    expect(() => decodeBatch(bytes.subarray(0, bytes.length - 10), { l2ChainId: CHAIN_ID })).toThrow(ProtocolError)
  })

  test('behavior: trailing bytes are ignored (as op-node does)', async () => {
    const bytes = encodeSpan({ rel: 0, originNum: 1, parent: PARENT, originHash: ORIGIN_HASH, originBits: [false], blocks: [[]] })
    expect(decodeBatch(concatBytes([bytes, Uint8Array.of(0)]), { l2ChainId: CHAIN_ID })).toEqual(decodeBatch(bytes, { l2ChainId: CHAIN_ID }))
  })

  test('error: bitlist with bits past its length', () => {
    const bytes = Uint8Array.from([1, 0, 0, ...new Uint8Array(40), 1, 0b10, 0])
    expect(() => decodeBatch(bytes, { l2ChainId: CHAIN_ID })).toThrow(/origin_bits/)
  })
})

/**
 * A two-block span written out field by field from the spec: block 0 starts an epoch and holds a
 * dynamic-fee tx (y parity 1); block 1 holds an unprotected legacy contract creation (y parity 0).
 */
const R0: Hex = `0x${'0a'.repeat(32)}`
const S0: Hex = `0x${'0b'.repeat(32)}`
const R1: Hex = `0x${'0c'.repeat(32)}`
const S1: Hex = `0x${'0d'.repeat(32)}`
const AA: Hex = `0x${'aa'.repeat(20)}`
const HAND_TXS: Hex[] = [
  concat(['0x02', toRlp(['0x0385', '0x07', '0x02', '0x03', '0x5208', AA, '0x01', '0x', [], '0x01', R0, S0])]),
  toRlp(['0x', '0x05', '0x0186a0', '0x', '0x', '0x6000', '0x1b', R1, S1]),
]
const HAND_BYTES = Uint8Array.from([
  0x01, // batch type
  0xac, 0x02, // rel_timestamp 300
  0x05, // l1_origin_num 5
  ...new Array(20).fill(0x12), // parent_check
  ...new Array(20).fill(0x34), // l1_origin_check
  0x02, // block_count
  0b01, // origin_bits: block 0 set
  0x01, 0x01, // block_tx_counts
  0b10, // contract_creation_bits: tx 1
  0b01, // y_parity_bits: tx 0
  ...new Array(32).fill(0x0a), ...new Array(32).fill(0x0b), // tx 0 r, s
  ...new Array(32).fill(0x0c), ...new Array(32).fill(0x0d), // tx 1 r, s
  ...new Array(20).fill(0xaa), // tx_tos: tx 0 only
  0x02, 0xc5, 0x01, 0x02, 0x03, 0x80, 0xc0, // tx 0 data: 0x02 ++ rlp([value 1, tip 2, feeCap 3, data, accessList])
  0xc5, 0x80, 0x05, 0x82, 0x60, 0x00, // tx 1 data: rlp([value 0, gasPrice 5, data 0x6000])
  0x07, 0x00, // tx_nonces
  0x88, 0xa4, 0x01, 0xa0, 0x8d, 0x06, // tx_gases 21000, 100000
  0x00, // protected_bits: the legacy tx is not EIP-155
])
const HAND_SPAN: RawSpanBatch = {
  relTimestamp: 300n,
  l1OriginNum: 5n,
  parentCheck: `0x${'12'.repeat(20)}`,
  l1OriginCheck: `0x${'34'.repeat(20)}`,
  blockCount: 2,
  originBits: [true, false],
  blockTxCounts: [1, 1],
  txs: HAND_TXS,
}

describe('encodeSpanBatch', () => {
  test('default: writes the hand-built spec vector', () => {
    expect(toHex(encodeSpanBatch(HAND_SPAN, BigInt(CHAIN_ID)))).toBe(toHex(HAND_BYTES))
    expect(decodeBatch(HAND_BYTES, { l2ChainId: CHAIN_ID })).toEqual({ type: 1, span: HAND_SPAN })
  })

  test('behavior: round-trips every tx type with the independent spec encoder', async () => {
    const txs = await signedTxs()
    const bytes = encodeSpan({ rel: 600, originNum: 101, parent: PARENT, originHash: ORIGIN_HASH, originBits: [true, false, true], blocks: [txs.slice(0, 2), [], txs.slice(2, 6)] })
    const { span } = decodeBatch(bytes, { l2ChainId: CHAIN_ID }) as { span: RawSpanBatch }
    expect(toHex(encodeSpanBatch(span, BigInt(CHAIN_ID)))).toBe(toHex(bytes))
  })

  test('behavior: singularBatchesToSpan sets origin bits from the first sequence number and origin steps', () => {
    const batch = (ts: number, epoch: number, transactions: Hex[]) => ({
      parentHash: ts === 1300 ? (`0x${'12'.repeat(32)}` as Hex) : (`0x${'ff'.repeat(32)}` as Hex),
      epochNumber: BigInt(epoch),
      epochHash: epoch === 5 ? (`0x${'34'.repeat(32)}` as Hex) : (`0x${'44'.repeat(32)}` as Hex),
      timestamp: BigInt(ts),
      transactions,
    })
    const timing = { l2GenesisTime: 1000, blockTime: 2 }
    expect(singularBatchesToSpan([batch(1300, 5, [HAND_TXS[0]]), batch(1302, 5, [HAND_TXS[1]])], 0, timing)).toEqual(HAND_SPAN)
    const mid = singularBatchesToSpan([batch(1300, 4, []), batch(1302, 5, []), batch(1304, 5, [])], 3, timing)
    expect(mid.originBits).toEqual([false, true, false])
    expect(spanBatchElements(mid, timing).map((e) => e.epochNumber)).toEqual([4n, 5n, 5n])
  })

  test('error: a deposit, a tx for another chain, and counts that do not add up', async () => {
    const deposit: Hex = concat(['0x7e', toRlp([`0x${'01'.repeat(32)}`, AA, AA, '0x', '0x', '0x5208', '0x', '0x'])])
    expect(() => encodeSpanBatch({ ...HAND_SPAN, txs: [deposit, HAND_TXS[1]] }, BigInt(CHAIN_ID))).toThrow(/tx 0 has type 126, which a span batch cannot carry/)
    const other = await account.signTransaction({ type: 'eip1559', chainId: 902, nonce: 0, to: TO, gas: 21000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n })
    expect(() => encodeSpanBatch({ ...HAND_SPAN, txs: [other, HAND_TXS[1]] }, BigInt(CHAIN_ID))).toThrow(/tx 0 has chain id 902, expected 901/)
    const legacy902 = await account.signTransaction({ type: 'legacy', chainId: 902, nonce: 0, to: TO, gas: 21000n, gasPrice: 1n })
    expect(() => encodeSpanBatch({ ...HAND_SPAN, txs: [HAND_TXS[0], legacy902] }, BigInt(CHAIN_ID))).toThrow(/tx 1 is signed for another chain/)
    expect(() => encodeSpanBatch({ ...HAND_SPAN, blockTxCounts: [1, 2] }, BigInt(CHAIN_ID))).toThrow(/sum to 3 but there are 2 txs/)
    expect(() => encodeSpanBatch({ ...HAND_SPAN, txs: [HAND_TXS[0], '0x'] }, BigInt(CHAIN_ID))).toThrow(/tx 1 is empty/)
    const setCodeCreation = concat(['0x04', toRlp(['0x0385', '0x', '0x01', '0x01', '0x5208', '0x', '0x', '0x', [], [], '0x', R0, S0])])
    expect(() => encodeSpanBatch({ ...HAND_SPAN, txs: [setCodeCreation, HAND_TXS[1]] }, BigInt(CHAIN_ID))).toThrow(/set-code transactions cannot create contracts/)
  })

  test('error: singularBatchesToSpan needs consecutive blocks', () => {
    const b = (ts: number, epoch: number) => ({ parentHash: PARENT, epochNumber: BigInt(epoch), epochHash: ORIGIN_HASH, timestamp: BigInt(ts), transactions: [] })
    const timing = { l2GenesisTime: 1000, blockTime: 2 }
    expect(() => singularBatchesToSpan([b(1300, 5), b(1304, 5)], 0, timing)).toThrow(/block 1 timestamp 1304 does not follow 1300/)
    expect(() => singularBatchesToSpan([b(1300, 5), b(1302, 7)], 0, timing)).toThrow(/block 1 origin 7 does not follow 5/)
    expect(() => singularBatchesToSpan([], 0, timing)).toThrow(/at least one block/)
  })
})
