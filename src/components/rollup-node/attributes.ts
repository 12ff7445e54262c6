/**
 * Payload attributes: the exact transaction list of an L2 block, as the derivation spec defines it:
 * the L1-info deposit, then (first block of an epoch only) the user deposits of the L1 origin, then
 * the sequenced transactions. The sequencer and the derivation pipeline both build blocks from this.
 */
import type { Hex } from 'viem'
import { encodeDepositTx, depositFromLog } from '../../protocol/deposit.js'
import { BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE, blobBaseFee, l1InfoCalldata, l1InfoDepositTx, scalarsFromSystemConfig } from '../../protocol/l1Info.js'
import { TRANSACTION_DEPOSITED_TOPIC } from '../../protocol/constants.js'
import { isForkActive } from '../../protocol/rollupConfig.js'
import { ZERO_HASH, type RollupConfig } from '../../protocol/types.js'
import type { L1Block, L1Source } from './l1.js'
import { systemConfigAt, type SystemConfig } from './systemConfig.js'
import type { Logger } from '../shared/log.js'

export interface Attributes {
  timestamp: number
  origin: L1Block
  sequenceNumber: number
  /** Every tx of the block, deposits first, as raw EIP-2718 bytes. */
  transactions: Hex[]
  /** The L1 origin's fields the block takes (op-node's `PayloadAttributes`): see {@link originFields}. */
  fields: OriginFields
  /** The block gas limit: the system config's at the L1 origin (a GAS_LIMIT update applies from the next epoch's blocks). */
  gasLimit: number
}

/** Block fields an L2 block takes from its L1 origin. */
export interface OriginFields {
  /** The L1 origin's mixHash. */
  prevRandao: Hex
  /** From Ecotone: the L1 origin's parent beacon block root (zero if L1 reports none). */
  parentBeaconBlockRoot?: Hex
}

/** prevRandao = the origin's mixHash; from Ecotone, parentBeaconBlockRoot = the origin's. */
export function originFields(cfg: RollupConfig, origin: L1Block, l2Timestamp: number): OriginFields {
  return {
    prevRandao: origin.mixHash,
    ...(isForkActive(cfg, 'ecotone', l2Timestamp) ? { parentBeaconBlockRoot: origin.parentBeaconBlockRoot ?? ZERO_HASH } : {}),
  }
}

/**
 * The raw L1-info deposit for an L2 block at `l2Timestamp` with L1 origin `origin`, under the system
 * config in effect at that origin (default: rollup.json's genesis one).
 */
export function l1InfoTx(cfg: RollupConfig, origin: L1Block, sequenceNumber: number, l2Timestamp: number, sc: SystemConfig = cfg.genesis.system_config): Hex {
  const scalars = scalarsFromSystemConfig(sc.scalar)
  const info = {
    number: BigInt(origin.ref.number),
    time: BigInt(origin.ref.timestamp),
    baseFee: origin.baseFeePerGas,
    blockHash: origin.ref.hash,
    sequenceNumber: BigInt(sequenceNumber),
    batcherAddr: sc.batcherAddr,
    blobBaseFee: origin.excessBlobGas === undefined ? 1n : blobBaseFee(origin.excessBlobGas, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE),
    baseFeeScalar: scalars.baseFeeScalar,
    blobBaseFeeScalar: scalars.blobBaseFeeScalar,
    l1FeeOverhead: BigInt(sc.overhead),
    l1FeeScalar: BigInt(sc.scalar),
    operatorFeeScalar: 0,
    operatorFeeConstant: 0n,
  }
  return encodeDepositTx(l1InfoDepositTx(info, l1InfoCalldata(cfg, l2Timestamp, info)))
}

/** User deposits of an L1 block: `TransactionDeposited` logs of the deposit contract, in log order. */
export async function userDeposits(cfg: RollupConfig, l1: L1Source, origin: L1Block, log: Logger): Promise<Hex[]> {
  const logs = await l1.logs(origin.ref.hash, cfg.deposit_contract_address)
  const out: Hex[] = []
  for (const l of logs) {
    if (l.topics[0]?.toLowerCase() !== TRANSACTION_DEPOSITED_TOPIC) continue
    try {
      out.push(encodeDepositTx(depositFromLog({ ...l, logIndex: Number(l.logIndex) }, { depositContractAddress: cfg.deposit_contract_address })))
    } catch (err) {
      log.warn('ignoring malformed deposit log', { block: origin.ref.number, logIndex: Number(l.logIndex), err })
    }
  }
  return out
}

/** Builds the attributes of an L2 block. */
export async function buildAttributes(args: {
  cfg: RollupConfig
  l1: L1Source
  log: Logger
  origin: L1Block
  sequenceNumber: number
  timestamp: number
  txs: Hex[]
}): Promise<Attributes> {
  const deposits = args.sequenceNumber === 0 ? await userDeposits(args.cfg, args.l1, args.origin, args.log) : []
  const sc = await systemConfigAt(args.cfg, args.l1, args.origin.ref)
  return {
    timestamp: args.timestamp,
    origin: args.origin,
    sequenceNumber: args.sequenceNumber,
    transactions: [l1InfoTx(args.cfg, args.origin, args.sequenceNumber, args.timestamp, sc), ...deposits, ...args.txs],
    fields: originFields(args.cfg, args.origin, args.timestamp),
    gasLimit: sc.gasLimit,
  }
}
