import { concatHex, keccak256, numberToHex, pad, toHex, type Hex } from 'viem'
import { serializeTransaction } from 'viem/op-stack'
import { describe, expect, test } from 'vitest'
import { TRANSACTION_DEPOSITED_TOPIC } from './constants.js'
import {
  decodeDepositTx,
  depositFromLog,
  depositLogTopics,
  depositTxHash,
  encodeDepositLogData,
  encodeDepositTx,
  encodeOpaqueData,
  l1InfoDepositSourceHash,
  upgradeDepositSourceHash,
  userDepositSourceHash,
  type DepositTx,
} from './deposit.js'
import { ProtocolError } from './errors.js'

const tx: DepositTx = {
  sourceHash: `0x${'aa'.repeat(32)}`,
  from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  mint: 10n ** 18n,
  value: 5n,
  gas: 100_000n,
  isSystemTx: false,
  data: '0xc0ffee',
}

describe('encodeDepositTx', () => {
  test('default: matches viem op-stack serializer', () => {
    expect(encodeDepositTx(tx)).toBe(serializeTransaction({ type: 'deposit', ...tx, to: tx.to as Hex }))
  })

  test('args: zero mint, creation, system tx', () => {
    const t = { ...tx, mint: 0n, to: null, isSystemTx: true, data: '0x' as Hex }
    expect(encodeDepositTx(t)).toBe(serializeTransaction({ type: 'deposit', ...t, to: undefined }))
    expect(decodeDepositTx(encodeDepositTx(t))).toEqual(t)
  })

  test('error: gas beyond uint64', () => {
    expect(() => encodeDepositTx({ ...tx, gas: 1n << 64n })).toThrow(ProtocolError)
  })
})

describe('decodeDepositTx', () => {
  test('default', () => {
    expect(decodeDepositTx(encodeDepositTx(tx))).toEqual(tx)
    expect(depositTxHash(encodeDepositTx(tx))).toBe(keccak256(encodeDepositTx(tx)))
  })

  test('error: wrong type byte', () => {
    expect(() => decodeDepositTx('0x02c0')).toThrow(/not a deposit/)
  })

  test('error: bad bool', () => {
    const raw = encodeDepositTx(tx)
    const bad = raw.replace(/80(83c0ffee)$/, '02$1') as Hex
    expect(() => decodeDepositTx(bad)).toThrow(/bool/)
  })
})

describe('source hashes', () => {
  const blockHash: Hex = `0x${'12'.repeat(32)}`

  test('default: user deposit (domain 0)', () => {
    const inner = keccak256(concatHex([blockHash, pad(toHex(7))]))
    expect(userDepositSourceHash(blockHash, 7)).toBe(keccak256(concatHex([pad('0x00'), inner])))
  })

  test('behavior: l1 info deposit (domain 1)', () => {
    const inner = keccak256(concatHex([blockHash, pad(toHex(3))]))
    expect(l1InfoDepositSourceHash(blockHash, 3n)).toBe(keccak256(concatHex([pad('0x01'), inner])))
  })

  test('behavior: upgrade deposit (domain 2) matches the Isthmus spec example', () => {
    expect(upgradeDepositSourceHash('Isthmus: EIP-2935 Contract Deployment')).toBe(
      '0xbfb734dae514c5974ddf803e54c1bc43d5cdb4a48ae27e1d9b875a5a150b553a',
    )
  })
})

describe('depositFromLog', () => {
  const blockHash: Hex = `0x${'34'.repeat(32)}`
  const portal = '0x5555555555555555555555555555555555555555' as const
  const opaque = encodeOpaqueData({ mint: tx.mint, value: tx.value, gas: tx.gas, isCreation: false, data: tx.data })
  const log = {
    address: portal,
    topics: depositLogTopics(tx.from, tx.to as Hex),
    data: encodeDepositLogData(opaque),
    blockHash,
    logIndex: 4,
  }

  test('default', () => {
    expect(depositFromLog(log, { depositContractAddress: portal })).toEqual({ ...tx, sourceHash: userDepositSourceHash(blockHash, 4) })
  })

  test('behavior: opaque data and log data layout', () => {
    expect(opaque).toBe(concatHex([pad(toHex(tx.mint)), pad(toHex(tx.value)), numberToHex(tx.gas, { size: 8 }), '0x00', tx.data]))
    expect(log.topics[0]).toBe(TRANSACTION_DEPOSITED_TOPIC)
    expect(log.data).toBe(concatHex([pad('0x20'), pad(toHex(76)), pad(concatHex([opaque]), { dir: 'right', size: 96 })]))
  })

  test('args: creation', () => {
    const data = encodeDepositLogData(encodeOpaqueData({ mint: 0n, value: 0n, gas: 1n, isCreation: true, data: '0x' }))
    const d = depositFromLog({ ...log, data })
    expect(d.to).toBeNull()
    expect(d.mint).toBe(0n)
  })

  test('error: wrong emitter', () => {
    expect(() => depositFromLog({ ...log, address: tx.from }, { depositContractAddress: portal })).toThrow(/deposit contract/)
  })

  test('error: wrong topic count or signature', () => {
    expect(() => depositFromLog({ ...log, topics: log.topics.slice(0, 3) })).toThrow(/4 topics/)
    expect(() => depositFromLog({ ...log, topics: [pad('0x01'), ...log.topics.slice(1)] })).toThrow(/TransactionDeposited/)
  })

  test('error: non-zero version', () => {
    expect(() => depositFromLog({ ...log, topics: [...log.topics.slice(0, 3), pad('0x01')] })).toThrow(/version/)
  })

  test('error: bad offset, length and padding', () => {
    const words = log.data.slice(2).match(/.{64}/g) as string[]
    const join = (w: string[]): Hex => `0x${w.join('')}`
    expect(() => depositFromLog({ ...log, data: join([pad('0x40').slice(2), ...words.slice(1)]) })).toThrow(/offset/)
    expect(() => depositFromLog({ ...log, data: join([...words, '00'.repeat(32)]) })).toThrow(/length/)
    expect(() => depositFromLog({ ...log, data: join([words[0], pad(toHex(200)).slice(2), ...words.slice(2)]) })).toThrow(/length/)
    expect(() => depositFromLog({ ...log, data: `${log.data}00` })).toThrow(/multiple of 32/)
    expect(() => depositFromLog({ ...log, data: join(words.slice(0, 1)) })).toThrow(/slice header/)
  })

  test('error: opaque data shorter than 73 bytes', () => {
    const data = encodeDepositLogData(`0x${'00'.repeat(72)}`)
    expect(() => depositFromLog({ ...log, data })).toThrow(/73/)
  })
})
