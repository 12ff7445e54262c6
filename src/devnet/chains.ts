/**
 * viem chain objects for a devnet: L1 (with Multicall3) and L2 (viem's OP Stack config, `sourceId` = the
 * L1 chain id and the L1 contracts viem's op-stack actions look up: `portal`, `disputeGameFactory`,
 * `l1StandardBridge`; no `l2OutputOracle`, the devnet settles with fault proofs). Also the contract
 * addresses `devnet status --json` lists, by op-deployer's names.
 */
import { defineChain, type Address, type Chain, type ChainContract } from 'viem'
import { chainConfig } from 'viem/op-stack'
import { L1_CONTRACTS, MULTICALL3, type L1Addresses } from '../plan/l1Deployment.js'
import { PREDEPLOYS } from '../plan/l2Predeploys.js'
import type { Topology } from '../topology/types.js'

type BySource = Record<number, ChainContract>

/** The L1 and L2 chains of a devnet, typed with the contracts viem's actions read. */
export interface DevnetChains {
  l1: Chain & { contracts: { multicall3: ChainContract } }
  l2: Chain<typeof chainConfig.formatters> & {
    sourceId: number
    contracts: { portal: BySource; disputeGameFactory: BySource; l1StandardBridge: BySource }
  }
}

/** The descriptor's `contracts`: L1 by op-deployer's names (proxies `…Proxy`, implementations `…Impl`), L2 predeploys. */
export interface DevnetContracts {
  l1: Record<string, Address>
  l2: Record<string, Address>
}

/** `contracts` of the descriptor for these L1 addresses. */
export function devnetContracts(l1: L1Addresses): DevnetContracts {
  return {
    l1: { ...Object.fromEntries(L1_CONTRACTS.map((name) => [name, l1[name]])), Multicall3: MULTICALL3 },
    l2: { ...PREDEPLOYS },
  }
}

/**
 * The chains of a devnet whose L1 answers at `l1Url` and whose sequencer's EL answers at `l2Url`.
 * @example
 * const client = createPublicClient({ chain: devnet.chains.l2, transport: http() })
 * await client.getL1BaseFee()
 */
export function devnetChains(args: { topology: Topology; name: string; l1Url: string; l2Url: string; l1: L1Addresses }): DevnetChains {
  const { topology, name, l1 } = args
  const nativeCurrency = { name: 'Ether', symbol: 'ETH', decimals: 18 } as const
  const l1Id = topology.l1.chainId
  return {
    l1: defineChain({
      id: l1Id,
      name: `${name} L1`,
      nativeCurrency,
      rpcUrls: { default: { http: [args.l1Url] } },
      blockTime: topology.l1.blockTime * 1000,
      contracts: { multicall3: { address: MULTICALL3 } },
      testnet: true,
    }),
    l2: defineChain({
      ...chainConfig,
      id: topology.l2.chainId,
      name: `${name} L2`,
      nativeCurrency,
      rpcUrls: { default: { http: [args.l2Url] } },
      blockTime: topology.l2.blockTime * 1000,
      sourceId: l1Id,
      contracts: {
        ...chainConfig.contracts,
        portal: { [l1Id]: { address: l1.OptimismPortalProxy } },
        disputeGameFactory: { [l1Id]: { address: l1.DisputeGameFactoryProxy } },
        l1StandardBridge: { [l1Id]: { address: l1.L1StandardBridgeProxy } },
      },
      testnet: true,
    }),
  }
}
