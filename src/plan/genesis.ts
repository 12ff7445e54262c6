/**
 * Genesis files and rollup.json for a topology. Pure: the same topology and genesis time give the same
 * output. Contract code comes from `fixtures/contracts/*.json` (see its README and `artifacts.ts`).
 */
import { concat, numberToHex, type Address, type Hex } from 'viem'
import { batchInboxAddress } from '../protocol/inbox.js'
import { ZERO_HASH, type RollupConfig } from '../protocol/types.js'
import { FORKS, type ForkName, type Topology } from '../topology/types.js'
import { deployedCode } from './artifacts.js'
import { genesisDefaults } from './genesisDefaults.js'
import { devKeys } from './keys.js'
import { l1Deployment, l1GenesisStorage, MULTICALL3 } from './l1Deployment.js'
import { l2PredeployAlloc, PREDEPLOYS } from './l2Predeploys.js'

/** Predeploy addresses the planner writes into genesis and rollup.json (see `l2Predeploys.ts`). */
export const addresses = {
  /** L1Block predeploy (holds the L1 attributes set by each block's L1-info deposit). */
  l1Block: PREDEPLOYS.L1Block,
  /** L2ToL1MessagePasser predeploy (withdrawals; its storage root goes into output roots). */
  l2ToL1MessagePasser: PREDEPLOYS.L2ToL1MessagePasser,
  /** SequencerFeeVault predeploy: the L2 coinbase. */
  sequencerFeeVault: PREDEPLOYS.SequencerFeeVault,
} as const satisfies Record<string, Address>


export interface GenesisAccount {
  balance: Hex
  code?: Hex
  nonce?: Hex
  storage?: Record<Hex, Hex>
}

/** A geth-style genesis file, as anvil `--init` reads it. */
export interface GenesisFile {
  config: { chainId: number }
  nonce: Hex
  timestamp: Hex
  extraData: Hex
  gasLimit: Hex
  difficulty: Hex
  mixHash: Hex
  coinbase: Address
  baseFeePerGas: Hex
  number: Hex
  gasUsed: Hex
  parentHash: Hex
  alloc: Record<Address, GenesisAccount>
}

function genesis(chainId: number, genesisTime: number, coinbase: Address, alloc: Record<Address, GenesisAccount>): GenesisFile {
  return {
    config: { chainId },
    nonce: '0x0',
    timestamp: numberToHex(genesisTime),
    extraData: '0x',
    gasLimit: numberToHex(genesisDefaults.gasLimit),
    difficulty: '0x0',
    mixHash: ZERO_HASH,
    coinbase,
    baseFeePerGas: numberToHex(genesisDefaults.baseFeePerGas),
    number: '0x0',
    gasUsed: '0x0',
    parentHash: ZERO_HASH,
    alloc,
  }
}

function fundedAlloc(topology: Topology): Record<Address, GenesisAccount> {
  const balance = numberToHex(genesisDefaults.balance)
  return Object.fromEntries(devKeys(topology).accounts.map((account) => [account.address, { balance }]))
}

/** The deployed L1 contracts a devnet starts with (from `devnet/l1Contracts.ts`) and its anchor. */
export interface L1ContractsInput {
  /** Accounts of the cached deployment: code, storage, nonces (balances are ignored). */
  alloc: Record<Address, GenesisAccount>
  /** Output root of L2 block 0, written over every game type's anchor. */
  genesisOutputRoot: Hex
}

/**
 * The L1 genesis for anvil `--init`: chain id, timestamp, 30M gas limit, 1 gwei base fee, the funded dev
 * accounts (10000 ETH each) and, given `contracts`, the settlement contracts at block 0 (the admin key
 * keeps its balance and takes the deployment's nonce; the portal holds the L2 genesis balances), patched by `l1GenesisStorage` (anchors = the L2
 * genesis output root, recorded block numbers = 0),
 * and Multicall3 at its canonical address. Without `contracts` the L1 is bare (unit tests).
 * @example
 * writeFileSync('l1-genesis.json', JSON.stringify(l1Genesis(topology, 1_700_000_000, contracts)))
 */
export function l1Genesis(topology: Topology, genesisTime: number, contracts?: L1ContractsInput): GenesisFile {
  const alloc = fundedAlloc(topology)
  if (contracts) {
    const addresses = l1Deployment(topology).addresses
    const patches = l1GenesisStorage(addresses, contracts.genesisOutputRoot, (address, slot) => contracts.alloc[address]?.storage?.[slot])
    for (const [address, account] of Object.entries(contracts.alloc) as Array<[Address, GenesisAccount]>) {
      const storage = { ...account.storage, ...patches[address] }
      alloc[address] = { ...account, balance: alloc[address]?.balance ?? '0x0', ...(Object.keys(storage).length ? { storage } : {}) }
    }
    // The portal holds the ETH of the L2 genesis balances, as if it had been deposited: withdrawing ETH
    // the dev accounts start with on L2 pays out on L1 (the portal pays withdrawals from its balance).
    const l2Funds = genesisDefaults.balance * BigInt(devKeys(topology).accounts.length)
    alloc[addresses.OptimismPortalProxy] = { ...alloc[addresses.OptimismPortalProxy]!, balance: numberToHex(l2Funds) }
    alloc[MULTICALL3] = { balance: '0x0', code: deployedCode('Multicall3'), nonce: '0x1' }
  }
  return genesis(topology.l1.chainId, genesisTime, '0x0000000000000000000000000000000000000000', alloc)
}

/**
 * The L2 genesis for anvil `--init --network optimism`: like {@link l1Genesis} plus the predeploys of
 * `l2Predeploys.ts` behind their proxies, with the SequencerFeeVault as coinbase.
 * @example
 * writeFileSync('l2-genesis.json', JSON.stringify(l2Genesis(topology, 1_700_000_000)))
 */
export function l2Genesis(topology: Topology, genesisTime: number): GenesisFile {
  const alloc: Record<Address, GenesisAccount> = { ...fundedAlloc(topology), ...l2PredeployAlloc(topology) }
  return genesis(topology.l2.chainId, genesisTime, addresses.sequencerFeeVault, alloc)
}

/**
 * The Ecotone (version 1) SystemConfig scalar: byte 0 = 1, bytes [24,28) the blob base fee scalar,
 * [28,32) the base fee scalar.
 */
export function ecotoneScalar(blobBaseFeeScalar: number, baseFeeScalar: number): Hex {
  return concat(['0x01', numberToHex(0, { size: 23 }), numberToHex(blobBaseFeeScalar, { size: 4 }), numberToHex(baseFeeScalar, { size: 4 })])
}

/**
 * rollup.json for a topology. `genesis.l1` and `genesis.l2` carry the zero hash: the rollup nodes fill
 * them in from L1 block 0 and their execution client's genesis. `deposit_contract_address` and
 * `l1_system_config_address` are the OptimismPortal and SystemConfig proxies of `l1Deployment`.
 * @example
 * rollupConfig(topology, 1_700_000_000).batch_inbox_address // '0x00289c189bee4e70334629f04cd5ed602b6600eb' for chain 901
 */
export function rollupConfig(topology: Topology, genesisTime: number): RollupConfig {
  const { l1, l2 } = topology
  const l1Contracts = l1Deployment(topology).addresses
  const forkTimes: Partial<Record<`${ForkName}_time`, number>> = {}
  for (const fork of FORKS) {
    const offset = l2.forks[fork]
    if (offset !== undefined) forkTimes[`${fork}_time`] = genesisTime + offset
  }
  // Keys in op-node's order, so the file reads like one `op-deployer inspect rollup` writes.
  const config: RollupConfig = {
    genesis: {
      l1: { hash: ZERO_HASH, number: 0 },
      l2: { hash: ZERO_HASH, number: 0 },
      l2_time: genesisTime,
      system_config: {
        batcherAddr: devKeys(topology).batcher.address,
        overhead: ZERO_HASH,
        scalar: ecotoneScalar(genesisDefaults.blobBaseFeeScalar, genesisDefaults.baseFeeScalar),
        gasLimit: genesisDefaults.gasLimit,
      },
    },
    block_time: l2.blockTime,
    max_sequencer_drift: l2.maxSequencerDrift,
    seq_window_size: l2.sequencingWindow,
    channel_timeout: l2.channelTimeout,
    l1_chain_id: l1.chainId,
    l2_chain_id: l2.chainId,
    ...forkTimes,
    batch_inbox_address: batchInboxAddress(l2.chainId),
    deposit_contract_address: l1Contracts.OptimismPortalProxy,
    l1_system_config_address: l1Contracts.SystemConfigProxy,
    protocol_versions_address: '0x0000000000000000000000000000000000000000',
  }
  return config
}
