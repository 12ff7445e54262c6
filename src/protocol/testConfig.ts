/** A rollup config for protocol unit tests: recognisable filler addresses, no forks unless given. */
import type { RollupConfig } from './types.js'

export function testRollupConfig(overrides: Partial<RollupConfig> = {}, l2Time = 1000): RollupConfig {
  return {
    genesis: {
      l1: { hash: `0x${'11'.repeat(32)}`, number: 0 },
      l2: { hash: `0x${'22'.repeat(32)}`, number: 0 },
      l2_time: l2Time,
      system_config: { batcherAddr: `0x${'33'.repeat(20)}`, overhead: `0x${'00'.repeat(32)}`, scalar: `0x${'00'.repeat(32)}`, gasLimit: 30_000_000 },
    },
    block_time: 2,
    max_sequencer_drift: 600,
    seq_window_size: 3600,
    channel_timeout: 300,
    l1_chain_id: 900,
    l2_chain_id: 901,
    batch_inbox_address: `0x${'44'.repeat(20)}`,
    deposit_contract_address: `0x${'55'.repeat(20)}`,
    l1_system_config_address: `0x${'66'.repeat(20)}`,
    ...overrides,
  }
}
