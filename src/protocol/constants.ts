import type { Address, Hex } from 'viem'

/** Sender of the L1-attributes deposit that opens every L2 block. */
export const L1_INFO_DEPOSITOR_ADDRESS: Address = '0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001'
/** L1Block predeploy, the target of the L1-attributes deposit. */
export const L1_BLOCK_ADDRESS: Address = '0x4200000000000000000000000000000000000015'
/** L2ToL1MessagePasser predeploy; its storage root is part of the output root. */
export const L2_TO_L1_MESSAGE_PASSER_ADDRESS: Address = '0x4200000000000000000000000000000000000016'
/** SequencerFeeVault predeploy, the usual L2 block fee recipient. */
export const SEQUENCER_FEE_VAULT_ADDRESS: Address = '0x4200000000000000000000000000000000000011'
/** BaseFeeVault predeploy. */
export const BASE_FEE_VAULT_ADDRESS: Address = '0x4200000000000000000000000000000000000019'
/** L1FeeVault predeploy. */
export const L1_FEE_VAULT_ADDRESS: Address = '0x420000000000000000000000000000000000001a'
/** GasPriceOracle predeploy. */
export const GAS_PRICE_ORACLE_ADDRESS: Address = '0x420000000000000000000000000000000000000F'

/** EIP-2718 type byte of deposited transactions. */
export const DEPOSIT_TX_TYPE = 0x7e
/** Version byte that prefixes calldata batcher transactions (frames follow). */
export const DERIVATION_VERSION_0 = 0
/** Fixed bytes of a frame besides its data: channel id 16 + number 2 + length 4 + is_last 1. */
export const FRAME_OVERHEAD = 23
/** Largest valid `frame_data_length`. */
export const MAX_FRAME_DATA_LENGTH = 1_000_000
/** Decompressed channel cap before Fjord. */
export const MAX_RLP_BYTES_PER_CHANNEL_BEDROCK = 10_000_000
/** Decompressed channel cap from Fjord. */
export const MAX_RLP_BYTES_PER_CHANNEL_FJORD = 100_000_000
/** Channel bank size cap before Fjord (pre-Holocene pruning). */
export const MAX_CHANNEL_BANK_SIZE_BEDROCK = 100_000_000
/** Channel bank size cap from Fjord (pre-Holocene pruning). */
export const MAX_CHANNEL_BANK_SIZE_FJORD = 1_000_000_000
/** Per-frame accounting overhead the channel bank adds when summing sizes. */
export const CHANNEL_BANK_FRAME_OVERHEAD = 200
/** Channel timeout (L1 blocks) from Granite, replacing rollup `channel_timeout`. */
export const GRANITE_CHANNEL_TIMEOUT = 50
/** Max sequencer drift (seconds) from Fjord, replacing rollup `max_sequencer_drift`. */
export const FJORD_MAX_SEQUENCER_DRIFT = 1800
/** Cap on blocks and on total transactions in one span batch. */
export const MAX_SPAN_BATCH_ELEMENT_COUNT = 10_000_000
/** Channel id length in bytes. */
export const CHANNEL_ID_LENGTH = 16

/** topic0 of `TransactionDeposited(address indexed,address indexed,uint256 indexed,bytes)`. */
export const TRANSACTION_DEPOSITED_TOPIC: Hex =
  '0xb3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32'
/** topic0 of the SystemConfig `ConfigUpdate(uint256 indexed,uint8 indexed,bytes)` event. */
export const CONFIG_UPDATE_TOPIC: Hex =
  '0x1d2b0bda21d56b8bd12d4f94ebacffdfb35f5e226f84b461103bb8beab6353be'
/** SystemConfig storage slot holding the unsafe-block (p2p) signer. */
export const UNSAFE_BLOCK_SIGNER_SLOT: Hex =
  '0x65a7ed542fb37fe237fdfbdd70b31598523fe5b32879e307bae27a0bd9581c08'

/** Gas limit of the L1-attributes deposit (Regolith+). */
export const L1_INFO_DEPOSIT_GAS = 1_000_000n
