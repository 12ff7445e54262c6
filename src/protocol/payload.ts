/**
 * Execution payloads: the in-memory shape, its payload/topic version per fork, engine-API JSON
 * and conversion from `eth_getBlockBy*` results. The payload shape lives in `payloadTypes.ts` (a
 * leaf), so the SSZ and gossip codecs re-exported here never import this module back.
 */
import { getAddress, isHex, toHex, type Address, type Hex } from 'viem'
import { ProtocolError } from './errors.js'
import { isForkActive } from './rollupConfig.js'
import type { ExecutionPayload, PayloadVersion } from './payloadTypes.js'
import type { RollupConfig } from './types.js'

export type { ExecutionPayload, PayloadVersion } from './payloadTypes.js'
export { SSZ_PAYLOAD_FIXED_SIZE, decodePayloadSSZ, encodePayloadSSZ } from './payloadSsz.js'
export {
  MAX_GOSSIP_SIZE,
  decodeGossipBlock,
  encodeGossipBlock,
  gossipTopic,
  payloadSigningHash,
  type DecodedGossipBlock,
  type EncodeGossipBlockArgs,
} from './gossip.js'

/** Payload version of an L2 block with `timestamp`. */
export function payloadVersionFor(cfg: RollupConfig, timestamp: number): PayloadVersion {
  if (isForkActive(cfg, 'isthmus', timestamp)) return 4
  if (isForkActive(cfg, 'ecotone', timestamp)) return 3
  if (isForkActive(cfg, 'canyon', timestamp)) return 2
  return 1
}

/** Engine-API JSON form of {@link ExecutionPayload} (QUANTITY fields as hex). */
export interface ExecutionPayloadJson {
  parentHash: Hex
  feeRecipient: Address
  stateRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  prevRandao: Hex
  blockNumber: Hex
  gasLimit: Hex
  gasUsed: Hex
  timestamp: Hex
  extraData: Hex
  baseFeePerGas: Hex
  blockHash: Hex
  transactions: Hex[]
  withdrawals?: []
  blobGasUsed?: Hex
  excessBlobGas?: Hex
  withdrawalsRoot?: Hex
}

/** Engine-API `ExecutionPayloadEnvelope`. */
export interface ExecutionPayloadEnvelopeJson {
  executionPayload: ExecutionPayloadJson
  parentBeaconBlockRoot?: Hex
}

/** A payload together with its parent beacon block root (Ecotone+). */
export interface PayloadWithBeaconRoot {
  payload: ExecutionPayload
  parentBeaconBlockRoot?: Hex
}

/** Converts a payload to engine-API JSON; optional fields appear only when set. */
export function payloadToEngineJson(p: ExecutionPayload): ExecutionPayloadJson {
  const json: ExecutionPayloadJson = {
    parentHash: p.parentHash,
    feeRecipient: p.feeRecipient,
    stateRoot: p.stateRoot,
    receiptsRoot: p.receiptsRoot,
    logsBloom: p.logsBloom,
    prevRandao: p.prevRandao,
    blockNumber: toHex(p.blockNumber),
    gasLimit: toHex(p.gasLimit),
    gasUsed: toHex(p.gasUsed),
    timestamp: toHex(p.timestamp),
    extraData: p.extraData,
    baseFeePerGas: toHex(p.baseFeePerGas),
    blockHash: p.blockHash,
    transactions: [...p.transactions],
  }
  if (p.withdrawals !== undefined) json.withdrawals = []
  if (p.blobGasUsed !== undefined) json.blobGasUsed = toHex(p.blobGasUsed)
  if (p.excessBlobGas !== undefined) json.excessBlobGas = toHex(p.excessBlobGas)
  if (p.withdrawalsRoot !== undefined) json.withdrawalsRoot = p.withdrawalsRoot
  return json
}

function hexField(obj: Record<string, unknown>, key: string): Hex {
  const v = obj[key]
  if (typeof v !== 'string' || !isHex(v)) throw new ProtocolError('INVALID_PAYLOAD', `payload field ${key} is not hex`)
  return v
}

function quantity(obj: Record<string, unknown>, key: string): bigint {
  const v = hexField(obj, key)
  if (v === '0x') throw new ProtocolError('INVALID_PAYLOAD', `payload field ${key} is an empty quantity`)
  return BigInt(v)
}

function noWithdrawals(w: unknown): [] {
  if (!Array.isArray(w)) throw new ProtocolError('INVALID_PAYLOAD', 'withdrawals must be a list')
  if (w.length > 0) throw new ProtocolError('INVALID_PAYLOAD', 'OP Stack payloads carry no withdrawals')
  return []
}

interface FieldNames {
  feeRecipient: string
  prevRandao: string
  blockNumber: string
  blockHash: string
}

function payloadFromObject(obj: Record<string, unknown>, names: FieldNames, transactions: Hex[]): ExecutionPayload {
  const p: ExecutionPayload = {
    parentHash: hexField(obj, 'parentHash'),
    feeRecipient: getAddress(hexField(obj, names.feeRecipient)),
    stateRoot: hexField(obj, 'stateRoot'),
    receiptsRoot: hexField(obj, 'receiptsRoot'),
    logsBloom: hexField(obj, 'logsBloom'),
    prevRandao: hexField(obj, names.prevRandao),
    blockNumber: quantity(obj, names.blockNumber),
    gasLimit: quantity(obj, 'gasLimit'),
    gasUsed: quantity(obj, 'gasUsed'),
    timestamp: quantity(obj, 'timestamp'),
    extraData: hexField(obj, 'extraData'),
    baseFeePerGas: quantity(obj, 'baseFeePerGas'),
    blockHash: hexField(obj, names.blockHash),
    transactions,
  }
  if (obj.withdrawals !== undefined && obj.withdrawals !== null) p.withdrawals = noWithdrawals(obj.withdrawals)
  if (obj.blobGasUsed != null) p.blobGasUsed = quantity(obj, 'blobGasUsed')
  if (obj.excessBlobGas != null) p.excessBlobGas = quantity(obj, 'excessBlobGas')
  return p
}

const ENGINE_NAMES: FieldNames = { feeRecipient: 'feeRecipient', prevRandao: 'prevRandao', blockNumber: 'blockNumber', blockHash: 'blockHash' }
const RPC_NAMES: FieldNames = { feeRecipient: 'miner', prevRandao: 'mixHash', blockNumber: 'number', blockHash: 'hash' }

/** Parses engine-API JSON; throws on non-hex fields or non-empty withdrawals. */
export function payloadFromEngineJson(json: ExecutionPayloadJson): ExecutionPayload {
  const obj = json as unknown as Record<string, unknown>
  if (!Array.isArray(obj.transactions)) throw new ProtocolError('INVALID_PAYLOAD', 'payload transactions must be a list')
  const txs = (obj.transactions as unknown[]).map((tx, i): Hex => {
    if (typeof tx !== 'string' || !isHex(tx)) throw new ProtocolError('INVALID_PAYLOAD', `transaction ${i} is not hex`)
    return tx
  })
  const p = payloadFromObject(obj, ENGINE_NAMES, txs)
  if (obj.withdrawalsRoot != null) p.withdrawalsRoot = hexField(obj, 'withdrawalsRoot')
  return p
}

/** Wraps a payload into an engine-API `ExecutionPayloadEnvelope`. */
export function envelopeToEngineJson(e: PayloadWithBeaconRoot): ExecutionPayloadEnvelopeJson {
  const json: ExecutionPayloadEnvelopeJson = { executionPayload: payloadToEngineJson(e.payload) }
  if (e.parentBeaconBlockRoot !== undefined) json.parentBeaconBlockRoot = e.parentBeaconBlockRoot
  return json
}

/** Parses an engine-API `ExecutionPayloadEnvelope`. */
export function envelopeFromEngineJson(json: ExecutionPayloadEnvelopeJson): PayloadWithBeaconRoot {
  const out: PayloadWithBeaconRoot = { payload: payloadFromEngineJson(json.executionPayload) }
  if (json.parentBeaconBlockRoot != null) out.parentBeaconBlockRoot = json.parentBeaconBlockRoot
  return out
}

/**
 * Builds a payload from an `eth_getBlockBy*` result (hex fields; miner → feeRecipient,
 * mixHash → prevRandao) and the block's raw transactions. Optional fields follow `opts.version`
 * when given; otherwise they are inferred from the block: withdrawals / blob fields when present,
 * withdrawalsRoot when the block carries `requestsHash` (Isthmus, Prague rules on L2).
 */
export function payloadFromRpcBlock(block: any, rawTransactions: Hex[], opts: { version?: PayloadVersion } = {}): PayloadWithBeaconRoot {
  if (block === null || typeof block !== 'object') throw new ProtocolError('INVALID_PAYLOAD', 'block is not an object')
  const obj = block as Record<string, unknown>
  const p = payloadFromObject(obj, RPC_NAMES, [...rawTransactions])
  const v = opts.version
  if (v !== undefined) {
    if (v >= 2) p.withdrawals = []
    else delete p.withdrawals
    if (v >= 3) {
      p.blobGasUsed ??= 0n
      p.excessBlobGas ??= 0n
    } else {
      delete p.blobGasUsed
      delete p.excessBlobGas
    }
  }
  const isthmus = v !== undefined ? v >= 4 : obj.requestsHash != null
  if (isthmus) p.withdrawalsRoot = hexField(obj, 'withdrawalsRoot')
  const out: PayloadWithBeaconRoot = { payload: p }
  if (obj.parentBeaconBlockRoot != null && (v === undefined || v >= 3)) {
    out.parentBeaconBlockRoot = hexField(obj, 'parentBeaconBlockRoot')
  }
  return out
}
