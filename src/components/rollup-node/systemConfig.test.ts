import { readFileSync } from 'node:fs'
import { encodeAbiParameters, encodeEventTopics, encodeFunctionData, parseAbi, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { withAnvil } from '../../devnet/throwawayAnvil.js'
import { testRollupConfig } from '../../protocol/testConfig.js'
import type { RollupConfig } from '../../protocol/types.js'
import { L1Source } from './l1.js'
import { applyConfigUpdate, SystemConfigTracker, UPDATE_TYPE, type SystemConfig } from './systemConfig.js'

const abi = parseAbi(['event ConfigUpdate(uint256 indexed version, uint8 indexed updateType, bytes data)'])
const base: SystemConfig = {
  batcherAddr: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  overhead: `0x${'00'.repeat(32)}`,
  scalar: `0x01${'00'.repeat(23)}000c5fc500000558`,
  gasLimit: 30_000_000,
}
/** A ConfigUpdate log as SystemConfig emits it: `emit ConfigUpdate(version, type, abi.encode(...))`. */
const log = (updateType: number, payload: Hex, version = 0n) => ({
  topics: encodeEventTopics({ abi, eventName: 'ConfigUpdate', args: { version, updateType } }) as Hex[],
  data: encodeAbiParameters([{ type: 'bytes' }], [payload]),
})

describe('applyConfigUpdate', () => {
  test('default: batcher, gas config, gas limit and unsafe block signer updates', () => {
    const batcher = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.BATCHER, encodeAbiParameters([{ type: 'bytes32' }], [`0x${batcher.slice(2).padStart(64, '0')}`]))).batcherAddr).toBe(batcher)
    const scalar = `0x01${'00'.repeat(23)}0000000700000009` as Hex
    const gas = applyConfigUpdate(base, log(UPDATE_TYPE.GAS_CONFIG, encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [5n, BigInt(scalar)])))
    expect([BigInt(gas.overhead), gas.scalar]).toEqual([5n, scalar])
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.GAS_LIMIT, encodeAbiParameters([{ type: 'uint64' }], [40_000_000n]))).gasLimit).toBe(40_000_000)
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.UNSAFE_BLOCK_SIGNER, encodeAbiParameters([{ type: 'address' }], [batcher]))).unsafeBlockSigner).toBe(batcher)
  })

  test('error: unknown version or type, malformed data leave the config unchanged', () => {
    const payload = encodeAbiParameters([{ type: 'uint64' }], [1n])
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.GAS_LIMIT, payload, 1n))).toBe(base)
    expect(applyConfigUpdate(base, log(9, payload))).toBe(base)
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.GAS_CONFIG, payload))).toBe(base)
    expect(applyConfigUpdate(base, { ...log(UPDATE_TYPE.GAS_LIMIT, payload), data: '0x1234' })).toBe(base)
  })
})

describe('SystemConfigTracker on a real SystemConfig', () => {
  // The bare implementation: its constructor initializes it with owner 0xdEaD, whom anvil lets us impersonate.
  const artifact = JSON.parse(readFileSync(new URL('../../../fixtures/contracts/SystemConfig.json', import.meta.url), 'utf8')) as { bytecode: Hex }
  const owner = '0x000000000000000000000000000000000000dEaD'
  const calls = parseAbi(['function setGasLimit(uint64)', 'function setUnsafeBlockSigner(address)'])

  test('behavior: gas limit and unsafe block signer updates apply from their L1 block; a reorg that removes them removes them here', async () => {
    await withAnvil(['--timestamp', '1'], async (rpc) => {
      const send = async (data: Hex, to?: Hex) => {
        const hash = await rpc.call<Hex>('eth_sendTransaction', [{ from: owner, ...(to ? { to } : {}), data, gas: '0x989680' }])
        let receipt: { status: Hex; contractAddress: Hex | null; blockNumber: Hex } | null = null
        for (let i = 0; !receipt && i < 500; i++) {
          receipt = await rpc.call('eth_getTransactionReceipt', [hash])
          if (!receipt) await new Promise((r) => setTimeout(r, 10))
        }
        expect(receipt?.status).toBe('0x1')
        if (!receipt) throw new Error(`${hash} was never mined`)
        return receipt
      }
      await rpc.call('anvil_setBalance', [owner, '0x56bc75e2d63100000'])
      await rpc.call('anvil_impersonateAccount', [owner])
      const address = (await send(artifact.bytecode)).contractAddress!
      const l1 = new L1Source(rpc)
      const genesis = await l1.blockByNumber(Number((await send(encodeFunctionData({ abi: calls, functionName: 'setGasLimit', args: [30_000_000n] }), address)).blockNumber))
      const cfg = { ...testRollupConfig(), l1_system_config_address: address, genesis: { ...testRollupConfig().genesis, l1: { number: genesis!.ref.number, hash: genesis!.ref.hash } } } as RollupConfig
      cfg.genesis.system_config = { ...cfg.genesis.system_config, gasLimit: 30_000_000 }
      const tracker = new SystemConfigTracker(cfg, l1)
      const at = async (n: number) => {
        const c = await tracker.at((await l1.blockByNumber(n))!.ref)
        return [c.gasLimit, c.unsafeBlockSigner]
      }

      const signer = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
      const gasBlock = Number((await send(encodeFunctionData({ abi: calls, functionName: 'setGasLimit', args: [45_000_000n] }), address)).blockNumber)
      const signerBlock = Number((await send(encodeFunctionData({ abi: calls, functionName: 'setUnsafeBlockSigner', args: [signer] }), address)).blockNumber)
      expect(await at(gasBlock - 1)).toEqual([30_000_000, undefined])
      expect(await at(gasBlock)).toEqual([45_000_000, undefined])
      expect(await at(signerBlock)).toEqual([45_000_000, signer])

      // Replace both update blocks by empty ones: the config at the new head is the old one again.
      await rpc.call('anvil_reorg', [2, []])
      l1.clearCache()
      expect(await at(signerBlock)).toEqual([30_000_000, undefined])
    })
  })
})
