/**
 * Configuration of the lite batcher, written by the planner as `config.json` and passed as
 * `batcher config.json`.
 */
import type { Address, Hex } from 'viem'

export interface BatcherConfig {
  name: string
  l1Rpc: string
  /**
   * The sequencer's L2 execution RPC (`--l2-eth-rpc`). A comma-separated list (same order as
   * `rollupRpc`) enables op-batcher's multi-sequencer mode: the batcher follows whichever rollup
   * node answers `admin_sequencerActive` with true.
   */
  l2Rpc: string
  /** The sequencer's rollup node RPC (`--rollup-rpc`); a comma-separated list in multi-sequencer mode. */
  rollupRpc: string
  /** Batcher key (hex). */
  privateKey: Hex
  l1ChainId: number
  l2ChainId: number
  batchInbox: Address
  /** Close a channel once this many L1 blocks passed since it opened (`--max-channel-duration`). */
  maxChannelDuration: number
  /** Maximum frame data size (`--max-l1-tx-size` minus overhead); one frame per L1 tx. */
  maxFrameSize: number
  /** 0: singular batches, 1: span batches, Delta+ (`--batch-type`). */
  batchType: 0 | 1
  /** Poll interval, ms (`--poll-interval`). */
  pollMs: number
  host: string
  ports: { rpc: number }
  /** Start with batch submission stopped (`--stopped`). */
  stopped: boolean
}
