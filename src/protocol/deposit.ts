/**
 * Deposited transactions (type 0x7E): op-geth encoding, source hashes and user deposits from
 * `TransactionDeposited` logs.
 */
import { bytesToHex, getAddress, keccak256, stringToBytes, type Address, type Hex } from 'viem'
import { concatBytes, fixedBytes, readUintBE, toBytes, uintMinimal, uintToBytes } from './bytes.js'
import { DEPOSIT_TX_TYPE, TRANSACTION_DEPOSITED_TOPIC } from './constants.js'
import { ProtocolError } from './errors.js'
import { asBytes, asFixed, asList, asUint, decodeRlp, encodeRlp } from './rlp.js'

/** A deposited transaction. `to: null` is a contract creation; `mint: 0n` means no mint. */
export interface DepositTx {
  sourceHash: Hex
  from: Address
  to: Address | null
  mint: bigint
  value: bigint
  gas: bigint
  isSystemTx: boolean
  data: Hex
}

/**
 * `0x7E ++ rlp([sourceHash, from, to, mint, value, gas, isSystemTx, data])` in op-geth field order;
 * `to` is empty for creations, mint 0 and `false` encode as empty strings.
 */
export function encodeDepositTx(tx: DepositTx): Hex {
  if (tx.gas >= 1n << 64n) throw new ProtocolError('INVALID_DEPOSIT', `deposit gas ${tx.gas} does not fit in uint64`)
  if (tx.mint >= 1n << 256n || tx.value >= 1n << 256n) {
    throw new ProtocolError('INVALID_DEPOSIT', 'deposit mint and value must fit in uint256')
  }
  const body = encodeRlp([
    fixedBytes(tx.sourceHash, 32, 'deposit source hash', 'INVALID_DEPOSIT'),
    fixedBytes(tx.from, 20, 'deposit from', 'INVALID_DEPOSIT'),
    tx.to === null ? new Uint8Array(0) : fixedBytes(tx.to, 20, 'deposit to', 'INVALID_DEPOSIT'),
    uintMinimal(tx.mint),
    uintMinimal(tx.value),
    uintMinimal(tx.gas),
    tx.isSystemTx ? Uint8Array.of(1) : new Uint8Array(0),
    toBytes(tx.data, 'deposit data', 'INVALID_DEPOSIT'),
  ])
  return bytesToHex(concatBytes(Uint8Array.of(DEPOSIT_TX_TYPE), body))
}

/** Decodes a raw deposit transaction; throws on a wrong type byte or malformed fields. */
export function decodeDepositTx(raw: Hex): DepositTx {
  const c = 'INVALID_DEPOSIT' as const
  const bytes = toBytes(raw, 'deposit transaction', c)
  if (bytes[0] !== DEPOSIT_TX_TYPE) throw new ProtocolError(c, `not a deposit transaction (type byte ${bytes[0]})`)
  const [source, from, to, mint, value, gas, isSystem, data] = asList(decodeRlp(bytes.subarray(1), c), 'deposit', c, 8)
  const toBytesField = asBytes(to, 'to', c)
  if (toBytesField.length !== 0 && toBytesField.length !== 20) throw new ProtocolError(c, 'deposit to must be empty or 20 bytes')
  const sys = asBytes(isSystem, 'isSystemTx', c)
  if (sys.length > 1 || (sys.length === 1 && sys[0] !== 1)) throw new ProtocolError(c, 'deposit isSystemTx is not a bool')
  return {
    sourceHash: bytesToHex(asFixed(source, 32, 'sourceHash', c)),
    from: getAddress(bytesToHex(asFixed(from, 20, 'from', c))),
    to: toBytesField.length === 0 ? null : getAddress(bytesToHex(toBytesField)),
    mint: asUint(mint, 32, 'mint', c),
    value: asUint(value, 32, 'value', c),
    gas: asUint(gas, 8, 'gas', c),
    isSystemTx: sys.length === 1,
    data: bytesToHex(asBytes(data, 'data', c)),
  }
}

/** Transaction hash of a raw deposit: keccak256 of its typed encoding. */
export function depositTxHash(raw: Hex): Hex {
  return keccak256(raw)
}

function sourceHash(domain: bigint, inner: Hex): Hex {
  return keccak256(concatBytes(uintToBytes(domain, 32, 'source domain'), toBytes(inner, 'inner hash')))
}

/** Domain 0: `keccak256(u256(0) ++ keccak256(l1BlockHash ++ u256(logIndex)))`; logIndex is block-wide. */
export function userDepositSourceHash(l1BlockHash: Hex, logIndex: number | bigint): Hex {
  const inner = keccak256(concatBytes(fixedBytes(l1BlockHash, 32, 'L1 block hash'), uintToBytes(logIndex, 32, 'log index')))
  return sourceHash(0n, inner)
}

/** Domain 1: `keccak256(u256(1) ++ keccak256(l1BlockHash ++ u256(sequenceNumber)))`. */
export function l1InfoDepositSourceHash(l1BlockHash: Hex, sequenceNumber: number | bigint): Hex {
  const inner = keccak256(
    concatBytes(fixedBytes(l1BlockHash, 32, 'L1 block hash'), uintToBytes(sequenceNumber, 32, 'sequence number')),
  )
  return sourceHash(1n, inner)
}

/** Domain 2 (network upgrades): `keccak256(u256(2) ++ keccak256(utf8(intent)))`. */
export function upgradeDepositSourceHash(intent: string): Hex {
  return sourceHash(2n, keccak256(stringToBytes(intent)))
}

/** Fields of a version-0 `opaqueData` blob. */
export interface OpaqueDepositData {
  mint: bigint
  value: bigint
  gas: bigint
  isCreation: boolean
  data: Hex
}

/** Packs `mint (32) ++ value (32) ++ gasLimit (u64) ++ isCreation (1) ++ data`, as the portal emits. */
export function encodeOpaqueData(d: OpaqueDepositData): Hex {
  return bytesToHex(
    concatBytes(
      uintToBytes(d.mint, 32, 'mint'),
      uintToBytes(d.value, 32, 'value'),
      uintToBytes(d.gas, 8, 'gas limit'),
      Uint8Array.of(d.isCreation ? 1 : 0),
      toBytes(d.data, 'deposit data'),
    ),
  )
}

/** ABI-encodes `bytes opaqueData` as the `TransactionDeposited` log data (offset, length, padded bytes). */
export function encodeDepositLogData(opaqueData: Hex): Hex {
  const bytes = toBytes(opaqueData, 'opaque data')
  const padded = new Uint8Array(Math.ceil(bytes.length / 32) * 32)
  padded.set(bytes)
  return bytesToHex(concatBytes(uintToBytes(32, 32, 'offset'), uintToBytes(bytes.length, 32, 'length'), padded))
}

/** An L1 log as the deposit derivation needs it. */
export interface DepositLog {
  address: Address
  topics: Hex[]
  data: Hex
  blockHash: Hex
  /** Index of the log within the whole L1 block. */
  logIndex: number
}

/**
 * Turns a `TransactionDeposited` log into the user deposit it describes (spec "Deposits", version 0).
 * Throws on a wrong emitter (if `opts.depositContractAddress` is given), topic count or
 * signature, non-zero version, bad ABI slice header / non-minimal padding or short opaque data.
 */
export function depositFromLog(log: DepositLog, opts: { depositContractAddress?: Address } = {}): DepositTx {
  const c = 'INVALID_DEPOSIT_LOG' as const
  if (opts.depositContractAddress && log.address.toLowerCase() !== opts.depositContractAddress.toLowerCase()) {
    throw new ProtocolError(c, `log emitted by ${log.address}, not the deposit contract ${opts.depositContractAddress}`)
  }
  if (log.topics.length !== 4) throw new ProtocolError(c, `expected 4 topics, got ${log.topics.length}`)
  if (log.topics[0].toLowerCase() !== TRANSACTION_DEPOSITED_TOPIC) throw new ProtocolError(c, `topic0 ${log.topics[0]} is not TransactionDeposited`)
  const topics = log.topics.map((t, i) => fixedBytes(t, 32, `topic ${i}`, c))
  if (topics[3].some((b) => b !== 0)) throw new ProtocolError(c, `unsupported deposit version ${log.topics[3]}`)
  const data = toBytes(log.data, 'log data', c)
  if (data.length < 64) throw new ProtocolError(c, `log data of ${data.length} bytes is shorter than the ABI slice header`)
  if (data.length % 32 !== 0) throw new ProtocolError(c, 'log data is not a multiple of 32 bytes')
  if (readUintBE(data, 0, 32) !== 32n) throw new ProtocolError(c, 'opaqueData offset is not 32')
  const length = readUintBE(data, 32, 32)
  const room = BigInt(data.length - 64)
  if (length > room || length + 32n <= room) throw new ProtocolError(c, `opaqueData length ${length} does not match ${room} bytes of padded data`)
  const opaque = data.subarray(64, 64 + Number(length))
  if (opaque.length < 73) throw new ProtocolError(c, `opaqueData of ${opaque.length} bytes is shorter than 73`)
  return {
    sourceHash: userDepositSourceHash(log.blockHash, log.logIndex),
    from: getAddress(bytesToHex(topics[1].subarray(12))),
    to: opaque[72] === 0 ? getAddress(bytesToHex(topics[2].subarray(12))) : null,
    mint: readUintBE(opaque, 0, 32),
    value: readUintBE(opaque, 32, 32),
    gas: readUintBE(opaque, 64, 8),
    isSystemTx: false,
    data: bytesToHex(opaque.subarray(73)),
  }
}

/** The four topics of a version-0 `TransactionDeposited(from, to, 0, …)` log. */
export function depositLogTopics(from: Address, to: Address): Hex[] {
  const word = (a: Address): Hex => bytesToHex(concatBytes(new Uint8Array(12), fixedBytes(a, 20, 'address')))
  return [TRANSACTION_DEPOSITED_TOPIC, word(from), word(to), bytesToHex(new Uint8Array(32))]
}
