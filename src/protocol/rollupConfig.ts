import {
  FJORD_MAX_SEQUENCER_DRIFT,
  GRANITE_CHANNEL_TIMEOUT,
  MAX_CHANNEL_BANK_SIZE_BEDROCK,
  MAX_CHANNEL_BANK_SIZE_FJORD,
  MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
  MAX_RLP_BYTES_PER_CHANNEL_FJORD,
} from './constants.js'
import type { RollupConfig } from './types.js'

/** Named OP Stack forks scheduled by `<fork>_time` keys in rollup.json. */
export type Fork =
  | 'regolith'
  | 'canyon'
  | 'delta'
  | 'ecotone'
  | 'fjord'
  | 'granite'
  | 'holocene'
  | 'isthmus'
  | 'jovian'

/** Whether `fork` is active at `timestamp` (fork time set and `timestamp >= fork time`). */
export function isForkActive(cfg: RollupConfig, fork: Fork, timestamp: number): boolean {
  const at = cfg[`${fork}_time`] as number | null | undefined
  return at !== undefined && at !== null && timestamp >= at
}

/**
 * Whether the L2 block at `l2Timestamp` is the first block with `fork` active: the fork is active
 * at this block but not at the previous one (`l2Timestamp - block_time`).
 */
export function isForkActivationBlock(cfg: RollupConfig, fork: Fork, l2Timestamp: number): boolean {
  return (
    isForkActive(cfg, fork, l2Timestamp) &&
    l2Timestamp >= cfg.block_time &&
    !isForkActive(cfg, fork, l2Timestamp - cfg.block_time)
  )
}

/** Ecotone active at `l2Timestamp` and this is not the Ecotone activation block. */
export function isEcotoneButNotFirstBlock(cfg: RollupConfig, l2Timestamp: number): boolean {
  return isForkActive(cfg, 'ecotone', l2Timestamp) && !isForkActivationBlock(cfg, 'ecotone', l2Timestamp)
}

/** Isthmus active at `l2Timestamp` and this is not the Isthmus activation block. */
export function isIsthmusButNotFirstBlock(cfg: RollupConfig, l2Timestamp: number): boolean {
  return isForkActive(cfg, 'isthmus', l2Timestamp) && !isForkActivationBlock(cfg, 'isthmus', l2Timestamp)
}

/** Max sequencer drift in seconds for an L1 origin: 1800 from Fjord, else `max_sequencer_drift`. */
export function maxSequencerDrift(cfg: RollupConfig, l1OriginTime: number): number {
  return isForkActive(cfg, 'fjord', l1OriginTime) ? FJORD_MAX_SEQUENCER_DRIFT : cfg.max_sequencer_drift
}

/** Channel timeout in L1 blocks, keyed by the L1 inclusion block time: 50 from Granite. */
export function channelTimeout(cfg: RollupConfig, l1InclusionTime: number): number {
  return isForkActive(cfg, 'granite', l1InclusionTime) ? GRANITE_CHANNEL_TIMEOUT : cfg.channel_timeout
}

/** Decompressed-size cap of a channel, keyed by L1 origin time (100 MB from Fjord, else 10 MB). */
export function maxRlpBytesPerChannel(cfg: RollupConfig, l1OriginTime: number): number {
  return isForkActive(cfg, 'fjord', l1OriginTime)
    ? MAX_RLP_BYTES_PER_CHANNEL_FJORD
    : MAX_RLP_BYTES_PER_CHANNEL_BEDROCK
}

/** Pre-Holocene channel bank size cap, keyed by L1 time (1 GB from Fjord, else 100 MB). */
export function maxChannelBankSize(cfg: RollupConfig, l1Time: number): number {
  return isForkActive(cfg, 'fjord', l1Time) ? MAX_CHANNEL_BANK_SIZE_FJORD : MAX_CHANNEL_BANK_SIZE_BEDROCK
}
