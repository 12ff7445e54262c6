/**
 * The execution payload shape shared by the payload, SSZ and gossip modules (a leaf module: it
 * imports nothing from the protocol layer).
 */
import type { Address, Hex } from 'viem'

/** An L2 execution payload (engine API `ExecutionPayload`, OP flavour: withdrawals always empty). */
export interface ExecutionPayload {
  parentHash: Hex
  feeRecipient: Address
  stateRoot: Hex
  receiptsRoot: Hex
  /** 256 bytes. */
  logsBloom: Hex
  prevRandao: Hex
  blockNumber: bigint
  gasLimit: bigint
  gasUsed: bigint
  timestamp: bigint
  /** At most 32 bytes. */
  extraData: Hex
  baseFeePerGas: bigint
  blockHash: Hex
  /** Raw EIP-2718 transactions, deposits first. */
  transactions: Hex[]
  /** Canyon+: present and empty. */
  withdrawals?: []
  /** Ecotone+: 0. */
  blobGasUsed?: bigint
  /** Ecotone+: 0. */
  excessBlobGas?: bigint
  /** Isthmus+: L2ToL1MessagePasser storage root. */
  withdrawalsRoot?: Hex
}

/**
 * Payload version: 1 Bedrock, 2 Canyon/Delta (withdrawals), 3 Ecotone+ (blob fields, beacon root),
 * 4 Isthmus+ (withdrawalsRoot). The gossip topic version is this minus one.
 */
export type PayloadVersion = 1 | 2 | 3 | 4
