/**
 * What a devnet's L1 starts with, prepared before planning (I/O): the cached L1 contracts
 * (`l1Contracts.ts`) and the output root of L2 block 0, read from a throwaway anvil running the L2
 * genesis (state root, L2ToL1MessagePasser storage root and block hash change with the genesis time).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { outputRootV0 } from '../protocol/output.js'
import { addresses, l2Genesis, type L1ContractsInput } from '../plan/genesis.js'
import type { L1Addresses } from '../plan/l1Deployment.js'
import type { Topology } from '../topology/types.js'
import { ensureL1State } from './l1Contracts.js'
import { withAnvil } from './throwawayAnvil.js'

export interface Settlement {
  /** The planner's input (`PlanOptions.l1Contracts`). */
  contracts: L1ContractsInput
  addresses: L1Addresses
  /** Whether the L1 state came from the cache. */
  cached: boolean
}

/**
 * The L1 contracts and the anchor for a devnet with this topology and genesis time.
 * @example
 * const settlement = await prepareSettlement(topology, genesisTime)
 * planDevnet(topology, { ..., l1Contracts: settlement.contracts })
 */
export async function prepareSettlement(topology: Topology, genesisTime: number): Promise<Settlement> {
  const [{ state, cached }, genesisOutputRoot] = await Promise.all([ensureL1State(topology), l2GenesisOutputRoot(topology, genesisTime)])
  return { contracts: { alloc: state.alloc, genesisOutputRoot }, addresses: state.addresses, cached }
}

/** Output root of L2 block 0 for this topology and genesis time, from anvil running the L2 genesis. */
export async function l2GenesisOutputRoot(topology: Topology, genesisTime: number): Promise<Hex> {
  const dir = mkdtempSync(join(tmpdir(), 'op-devnet-l2-genesis-'))
  try {
    const file = join(dir, 'l2-genesis.json')
    writeFileSync(file, JSON.stringify(l2Genesis(topology, genesisTime)))
    return await withAnvil(['--init', file, '--network', 'optimism', '--no-mining'], async (rpc) => {
      const [block, proof] = await Promise.all([
        rpc.call<{ hash: Hex; stateRoot: Hex }>('eth_getBlockByNumber', ['0x0', false]),
        rpc.call<{ storageHash: Hex }>('eth_getProof', [addresses.l2ToL1MessagePasser, [], '0x0']),
      ])
      return outputRootV0({ stateRoot: block.stateRoot, messagePasserStorageRoot: proof.storageHash, blockHash: block.hash })
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
