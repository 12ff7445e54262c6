import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, defineChain, http, parseAbi, parseEther, type Address } from 'viem'
import { afterAll, describe, expect, test } from 'vitest'
import { l1Genesis, rollupConfig } from '../plan/genesis.js'
import { l1Deployment, MULTICALL3 } from '../plan/l1Deployment.js'
import { devKeys } from '../plan/keys.js'
import { defaultTopology } from '../topology/index.js'
import { ensureL1State } from './l1Contracts.js'
import { l2GenesisOutputRoot } from './settlement.js'
import { withAnvil } from './throwawayAnvil.js'

const dir = mkdtempSync(join(tmpdir(), 'op-devnet-l1-contracts-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('ensureL1State', () => {
  test('behavior: built once per configuration, then read from the cache', async () => {
    const t = defaultTopology()
    const cold = await ensureL1State(t, dir)
    const warm = await ensureL1State(t, dir)
    expect([cold.cached, warm.cached]).toEqual([false, true])
    expect(warm.state).toEqual(cold.state)
    expect(warm.file).toBe(join(dir, 'l1-state', `${cold.state.hash}.json`))
    t.settlement.initBond = '1'
    const other = await ensureL1State(t, dir)
    expect(other.cached).toBe(false)
    expect(other.state.hash).not.toBe(cold.state.hash)
  }, 60_000)

  test('default: the L1 genesis holds the deployed contracts at block 0, anchored at the L2 genesis output root', async () => {
    const t = defaultTopology()
    const genesisTime = Math.floor(Date.now() / 1000)
    const [{ state }, root] = await Promise.all([ensureL1State(t, dir), l2GenesisOutputRoot(t, genesisTime, dir)])
    const file = join(dir, 'l1-genesis.json')
    writeFileSync(file, JSON.stringify(l1Genesis(t, genesisTime, { alloc: state.alloc, genesisOutputRoot: root })))
    const a = l1Deployment(t).addresses
    expect(state.addresses).toEqual(a)
    const keys = devKeys(t)
    const rollup = rollupConfig(t, genesisTime)
    expect([rollup.deposit_contract_address, rollup.l1_system_config_address]).toEqual([a.OptimismPortalProxy, a.SystemConfigProxy])

    await withAnvil(['--init', file, '--hardfork', 'prague'], async (rpc) => {
      const chain = defineChain({
        id: 900, name: 'l1', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpc.url] } },
        contracts: { multicall3: { address: MULTICALL3 } },
      })
      const client = createPublicClient({ chain, transport: http(rpc.url) })
      const read = (address: Address, signature: string, args: unknown[] = []) => {
        const abi = parseAbi([signature])
        return client.readContract({ address, abi, functionName: (abi[0] as { name: string }).name, args } as never) as Promise<unknown>
      }
      expect(await client.getBlockNumber()).toBe(0n)
      expect(await read(a.OptimismPortalProxy, 'function version() view returns (string)')).toBe('3.10.0')
      expect(await read(a.OptimismPortalProxy, 'function respectedGameType() view returns (uint32)')).toBe(255)
      expect(await read(a.OptimismPortalProxy, 'function disputeGameFactory() view returns (address)')).toBe(a.DisputeGameFactoryProxy)
      expect(await read(a.OptimismPortalProxy, 'function proofMaturityDelaySeconds() view returns (uint256)')).toBe(2n)
      expect(await read(a.DisputeGameFactoryProxy, 'function gameImpls(uint32) view returns (address)', [255])).toBe(a.FaultDisputeGameAlphabet)
      expect(await read(a.DisputeGameFactoryProxy, 'function gameImpls(uint32) view returns (address)', [254])).toBe(a.FaultDisputeGameFast)
      expect(await read(a.DisputeGameFactoryProxy, 'function initBonds(uint32) view returns (uint256)', [255])).toBe(parseEther('0.08'))
      expect(await read(a.DisputeGameFactoryProxy, 'function owner() view returns (address)')).toBe(keys.admin.address)
      expect(await read(a.FaultDisputeGameAlphabet, 'function maxClockDuration() view returns (uint64)')).toBe(10n)
      expect(await read(a.FaultDisputeGameFast, 'function maxClockDuration() view returns (uint64)')).toBe(0n)
      expect(await read(a.FaultDisputeGameAlphabet, 'function splitDepth() view returns (uint256)')).toBe(14n)
      for (const gameType of [254, 255]) {
        expect(await read(a.AnchorStateRegistryProxy, 'function anchors(uint32) view returns (bytes32, uint256)', [gameType])).toEqual([root, 0n])
      }
      expect(await read(a.SystemConfigProxy, 'function batcherHash() view returns (bytes32)')).toBe(`0x${keys.batcher.address.slice(2).toLowerCase().padStart(64, '0')}`)
      expect(await read(a.SystemConfigProxy, 'function gasLimit() view returns (uint64)')).toBe(BigInt(rollup.genesis.system_config.gasLimit))
      expect(await read(a.SystemConfigProxy, 'function scalar() view returns (uint256)')).toBe(BigInt(rollup.genesis.system_config.scalar))
      expect(await read(a.SystemConfigProxy, 'function unsafeBlockSigner() view returns (address)')).toBe(keys.sequencer.address)
      expect(await read(a.SystemConfigProxy, 'function startBlock() view returns (uint256)')).toBe(0n)
      expect(await read(a.SystemConfigProxy, 'function optimismPortal() view returns (address)')).toBe(a.OptimismPortalProxy)
      expect(await read(a.L1CrossDomainMessengerProxy, 'function PORTAL() view returns (address)')).toBe(a.OptimismPortalProxy)
      expect(await read(a.L1StandardBridgeProxy, 'function MESSENGER() view returns (address)')).toBe(a.L1CrossDomainMessengerProxy)
      expect(await read(a.ProxyAdmin, 'function owner() view returns (address)')).toBe(keys.admin.address)
      expect(await read(a.ProxyAdmin, 'function getProxyImplementation(address) view returns (address)', [a.L1StandardBridgeProxy])).toBe(a.L1StandardBridgeImpl)
      // Multicall3 answers at its canonical address (viem batches reads through it).
      const [version, factory] = await client.multicall({
        allowFailure: false,
        contracts: [
          { address: a.OptimismPortalProxy, abi: parseAbi(['function version() view returns (string)']), functionName: 'version' },
          { address: a.SystemConfigProxy, abi: parseAbi(['function disputeGameFactory() view returns (address)']), functionName: 'disputeGameFactory' },
        ],
      })
      expect([version, factory]).toEqual(['3.10.0', a.DisputeGameFactoryProxy])
      // The admin key keeps its funds and continues after the deployment's nonce.
      expect(await client.getBalance({ address: keys.admin.address })).toBe(parseEther('10000'))
      expect(await client.getTransactionCount({ address: keys.admin.address })).toBe(l1Deployment(t).steps.length)
    })
  }, 60_000)
})

describe('l2GenesisOutputRoot', () => {
  test('behavior: a cached genesis header gives, for another genesis time, the root anvil gives', async () => {
    const t = defaultTopology()
    const warmDir = join(dir, 'warm')
    const first = await l2GenesisOutputRoot(t, 1_700_000_000, warmDir) // cold: anvil, caches the header
    expect(readdirSync(join(warmDir, 'l2-genesis'))).toHaveLength(1)
    const warm = await l2GenesisOutputRoot(t, 1_800_000_123, warmDir)
    const fromAnvil = await l2GenesisOutputRoot(t, 1_800_000_123, join(dir, 'fresh'))
    expect(warm).toBe(fromAnvil)
    expect(warm).not.toBe(first)
    // A tampered cache entry is detected and read again from anvil.
    const file = join(warmDir, 'l2-genesis', readdirSync(join(warmDir, 'l2-genesis'))[0])
    const sample = JSON.parse(readFileSync(file, 'utf8'))
    writeFileSync(file, JSON.stringify({ ...sample, header: { ...sample.header, gasLimit: '0x1' } }))
    expect(await l2GenesisOutputRoot(t, 1_800_000_123, warmDir)).toBe(fromAnvil)
  }, 60_000)
})

