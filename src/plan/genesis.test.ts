import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, http, parseAbi, parseEther } from 'viem'
import { afterAll, describe, expect, test } from 'vitest'
import { scalarsFromSystemConfig } from '../protocol/l1Info.js'
import { anvilBinary } from '../runtime/process/binary.js'
import { freePort } from '../runtime/ports.js'
import { waitForRpc } from '../runtime/waits.js'
import { defaultTopology } from '../topology/index.js'
import { deployedCode } from './artifacts.js'
import { addresses, l1Genesis, l2Genesis, rollupConfig } from './genesis.js'
import { l1Deployment } from './l1Deployment.js'
import { implementationAddress, PREDEPLOYS } from './l2Predeploys.js'
import { devKeys } from './keys.js'

const genesisTime = 1_700_000_000
const dir = mkdtempSync(join(tmpdir(), 'op-devnet-genesis-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Starts anvil on a free port with `--init <genesis>` and returns a client once it answers. */
async function anvil(name: string, genesis: unknown, extra: string[] = []) {
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(genesis))
  const port = await freePort()
  const child = spawn(anvilBinary(), ['--init', file, '--host', '127.0.0.1', '--port', String(port), ...extra], { stdio: 'ignore' })
  children.push(child)
  const url = `http://127.0.0.1:${port}`
  await waitForRpc(url, 'eth_chainId', [], { timeoutMs: 15_000 })
  return createPublicClient({ transport: http(url) })
}

describe('rollupConfig', () => {
  test('default', () => {
    const config = rollupConfig(defaultTopology(), genesisTime)
    expect(config).toMatchInlineSnapshot(`
      {
        "batch_inbox_address": "0x00289C189bEE4E70334629f04Cd5eD602B6600eB",
        "block_time": 1,
        "canyon_time": 1700000000,
        "channel_timeout": 50,
        "delta_time": 1700000000,
        "deposit_contract_address": "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
        "ecotone_time": 1700000000,
        "fjord_time": 1700000000,
        "genesis": {
          "l1": {
            "hash": "0x0000000000000000000000000000000000000000000000000000000000000000",
            "number": 0,
          },
          "l2": {
            "hash": "0x0000000000000000000000000000000000000000000000000000000000000000",
            "number": 0,
          },
          "l2_time": 1700000000,
          "system_config": {
            "batcherAddr": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "gasLimit": 30000000,
            "overhead": "0x0000000000000000000000000000000000000000000000000000000000000000",
            "scalar": "0x010000000000000000000000000000000000000000000000000c5fc500000558",
          },
        },
        "granite_time": 1700000000,
        "l1_chain_id": 900,
        "l1_system_config_address": "0x0165878A594ca255338adfa4d48449f69242Eb8F",
        "l2_chain_id": 901,
        "max_sequencer_drift": 1800,
        "protocol_versions_address": "0x0000000000000000000000000000000000000000",
        "regolith_time": 1700000000,
        "seq_window_size": 20,
      }
    `)
    expect(scalarsFromSystemConfig(config.genesis.system_config.scalar)).toEqual({ baseFeeScalar: 1368, blobBaseFeeScalar: 810949 })
  })

  test('args: forks', () => {
    const t = defaultTopology()
    t.l2.forks = { regolith: 0, canyon: 0, delta: 10, ecotone: 20 }
    const config = rollupConfig(t, genesisTime)
    expect([config.delta_time, config.ecotone_time, config.fjord_time, config.granite_time]).toEqual([genesisTime + 10, genesisTime + 20, undefined, undefined])
    expect('fjord_time' in config).toBe(false)
  })
})

describe('genesis', () => {
  test('default: l1 genesis runs in anvil, dev accounts funded', async () => {
    const t = defaultTopology()
    const client = await anvil('l1', l1Genesis(t, genesisTime), ['--hardfork', 'prague'])
    expect(await client.getChainId()).toBe(900)
    const block = await client.getBlock({ blockNumber: 0n })
    expect(block.timestamp).toBe(BigInt(genesisTime))
    expect(block.gasLimit).toBe(30_000_000n)
    expect(block.baseFeePerGas).toBe(1_000_000_000n)
    for (const account of devKeys(t).accounts) expect(await client.getBalance({ address: account.address })).toBe(parseEther('10000'))
  })

  test('default: l2 genesis runs in anvil --network optimism, predeploys behind proxies, initialized', async () => {
    const t = defaultTopology()
    const client = await anvil('l2', l2Genesis(t, genesisTime), ['--network', 'optimism'])
    expect(await client.getChainId()).toBe(901)
    const block = await client.getBlock({ blockNumber: 0n })
    expect(block.timestamp).toBe(BigInt(genesisTime))
    expect(block.miner).toBe(addresses.sequencerFeeVault)
    for (const account of devKeys(t).accounts) expect(await client.getBalance({ address: account.address })).toBe(parseEther('10000'))

    const l1 = l1Deployment(t).addresses
    const admin = devKeys(t).admin.address
    const read = (address: `0x${string}`, signature: string, args: unknown[] = []) => {
      const abi = parseAbi([signature])
      return client.readContract({ address, abi, functionName: (abi[0] as { name: string }).name, args } as never) as Promise<unknown>
    }
    // The L2 ProxyAdmin (itself proxied) is owned by the admin key and administers every predeploy proxy.
    expect(await read(PREDEPLOYS.ProxyAdmin, 'function owner() view returns (address)')).toBe(admin)
    for (const predeploy of Object.values(PREDEPLOYS)) {
      expect(await client.getCode({ address: predeploy })).toBe(deployedCode('Proxy').toLowerCase())
      expect(await read(PREDEPLOYS.ProxyAdmin, 'function getProxyAdmin(address) view returns (address)', [predeploy])).toBe(PREDEPLOYS.ProxyAdmin)
      expect(await read(PREDEPLOYS.ProxyAdmin, 'function getProxyImplementation(address) view returns (address)', [predeploy])).toBe(
        implementationAddress(predeploy),
      )
    }
    expect(await client.getCode({ address: implementationAddress(addresses.l1Block) })).toBe(deployedCode('L1Block').toLowerCase())
    expect(await read(PREDEPLOYS.GasPriceOracle, 'function isEcotone() view returns (bool)')).toBe(true)
    expect(await read(PREDEPLOYS.GasPriceOracle, 'function isFjord() view returns (bool)')).toBe(true)
    expect(await read(PREDEPLOYS.L2CrossDomainMessenger, 'function OTHER_MESSENGER() view returns (address)')).toBe(l1.L1CrossDomainMessengerProxy)
    expect(await read(PREDEPLOYS.L2CrossDomainMessenger, 'function xDomainMessageSender() view returns (address)').catch((e: Error) => e.message)).toMatch(
      /xDomainMessageSender is not set/,
    )
    expect(await read(PREDEPLOYS.L2StandardBridge, 'function OTHER_BRIDGE() view returns (address)')).toBe(l1.L1StandardBridgeProxy)
    expect(await read(PREDEPLOYS.L2StandardBridge, 'function MESSENGER() view returns (address)')).toBe(PREDEPLOYS.L2CrossDomainMessenger)
    for (const vault of [PREDEPLOYS.SequencerFeeVault, PREDEPLOYS.BaseFeeVault, PREDEPLOYS.L1FeeVault]) {
      expect(await read(vault, 'function RECIPIENT() view returns (address)')).toBe(admin)
      expect(await read(vault, 'function MIN_WITHDRAWAL_AMOUNT() view returns (uint256)')).toBe(parseEther('10'))
      expect(await read(vault, 'function WITHDRAWAL_NETWORK() view returns (uint8)')).toBe(0)
    }
    // Initializers are used up: a second initialize reverts, as on an upstream genesis.
    const abi = parseAbi(['function initialize(address)'])
    await expect(client.simulateContract({ address: PREDEPLOYS.L2StandardBridge, abi, functionName: 'initialize', args: [admin], account: admin })).rejects.toThrow(
      /Initializable: contract is already initialized/,
    )
  })

  test('behavior: pure', () => {
    expect(l2Genesis(defaultTopology(), genesisTime)).toEqual(l2Genesis(defaultTopology(), genesisTime))
    expect(Object.keys(l2Genesis(defaultTopology(), genesisTime).alloc)).toHaveLength(10 + 2 * Object.keys(PREDEPLOYS).length)
  })
})
