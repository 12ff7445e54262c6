import type { Address, Hex } from 'viem'

/** 32 zero bytes, used for unset hashes and zeroed refs. */
export const ZERO_HASH: Hex = '0x0000000000000000000000000000000000000000000000000000000000000000'

/** A block by hash and number (op-node `eth.BlockID`; `number` is a plain JSON number). */
export interface BlockID {
  hash: Hex
  number: number
}

/** op-node `eth.L1BlockRef`. */
export interface L1BlockRef {
  hash: Hex
  number: number
  parentHash: Hex
  timestamp: number
}

/** op-node `eth.L2BlockRef`; `sequenceNumber` counts blocks since the first block of the epoch. */
export interface L2BlockRef {
  hash: Hex
  number: number
  parentHash: Hex
  timestamp: number
  l1origin: BlockID
  sequenceNumber: number
}

/** `optimism_syncStatus` result, field names exactly as op-node's JSON. */
export interface SyncStatus {
  current_l1: L1BlockRef
  current_l1_finalized: L1BlockRef
  head_l1: L1BlockRef
  safe_l1: L1BlockRef
  finalized_l1: L1BlockRef
  unsafe_l2: L2BlockRef
  safe_l2: L2BlockRef
  finalized_l2: L2BlockRef
  pending_safe_l2: L2BlockRef
  cross_unsafe_l2: L2BlockRef
  local_safe_l2: L2BlockRef
}

/** `optimism_outputAtBlock` result. */
export interface OutputResponse {
  version: Hex
  outputRoot: Hex
  blockRef: L2BlockRef
  withdrawalStorageRoot: Hex
  stateRoot: Hex
  syncStatus: SyncStatus
}

/** `genesis.system_config` of rollup.json. */
export interface GenesisSystemConfig {
  batcherAddr: Address
  /** bytes32 hex. */
  overhead: Hex
  /** bytes32 hex (version byte 0 or 1, see `scalarsFromSystemConfig`). */
  scalar: Hex
  gasLimit: number
  /** Holocene+: 8-byte hex `denominator u32 ++ elasticity u32`. */
  eip1559Params?: Hex
}

/**
 * rollup.json (op-node rollup config) with its exact snake_case keys. Numbers are plain JSON
 * numbers; fork times are L2 timestamps in seconds and are omitted when not scheduled.
 */
export interface RollupConfig {
  genesis: {
    l1: BlockID
    l2: BlockID
    l2_time: number
    system_config: GenesisSystemConfig
  }
  block_time: number
  max_sequencer_drift: number
  seq_window_size: number
  channel_timeout: number
  l1_chain_id: number
  l2_chain_id: number
  regolith_time?: number
  canyon_time?: number
  delta_time?: number
  ecotone_time?: number
  fjord_time?: number
  granite_time?: number
  holocene_time?: number
  isthmus_time?: number
  /** Not implemented by the lite components; present so configs that set it are detected. */
  jovian_time?: number
  pectra_blob_schedule_time?: number
  interop_time?: number
  batch_inbox_address: Address
  deposit_contract_address: Address
  l1_system_config_address: Address
  protocol_versions_address?: Address
  chain_op_config?: {
    eip1559Elasticity: number
    eip1559Denominator: number
    eip1559DenominatorCanyon: number
  }
}

/** An all-zero L1 ref, as op-node reports for heads it does not know yet. */
export function zeroL1Ref(): L1BlockRef {
  return { hash: ZERO_HASH, number: 0, parentHash: ZERO_HASH, timestamp: 0 }
}

/** An all-zero L2 ref, as op-node reports for heads it does not know yet. */
export function zeroL2Ref(): L2BlockRef {
  return {
    hash: ZERO_HASH,
    number: 0,
    parentHash: ZERO_HASH,
    timestamp: 0,
    l1origin: { hash: ZERO_HASH, number: 0 },
    sequenceNumber: 0,
  }
}
