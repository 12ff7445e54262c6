/**
 * Settlement on every runtime, with viem's op-stack actions as their authors wrote them: the L1
 * contracts answer, a deposit made on L1 appears on L2 with its real source hash, the L1 fee actions
 * read the GasPriceOracle, and SystemConfig updates reach the rollup nodes.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, http, parseAbi, parseEther, parseEventLogs, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getL2TransactionHashes, getSourceHash, publicActionsL1, publicActionsL2, walletActionsL1 } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { SpecError } from '../src/errors.js'
import { rpc, sequencerCaughtUp, suiteTopology, testRuntimes, testSpeed, waitFor } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-settlement-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const built = requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')
for (const runtime of testRuntimes()) built(`settlement on ${runtime}`, () => {
  let devnet: Devnet

  beforeAll(async () => {
    // Its own name: on docker, devnet names are engine-wide, and other suites run the default one meanwhile.
    const topology = suiteTopology()
    topology.name = `settlement-${runtime}`
    devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir: join(root, `devnet-${runtime}`), speed: testSpeed })
    // A loaded machine can start the chain late; L1 updates reach L2 blocks only once it caught up.
    await sequencerCaughtUp(devnet)
  }, 240_000)
  afterAll(async () => {
    await devnet?.stop()
  })

  const l1 = () => createPublicClient({ chain: devnet.chains.l1, transport: http() }).extend(publicActionsL1())
  const l2 = () => createPublicClient({ chain: devnet.chains.l2, transport: http() }).extend(publicActionsL2())

  test('default: the L1 contracts answer; the anchor is the L2 genesis output root', async () => {
    const c = devnet.descriptor().contracts!.l1
    expect(Object.keys(c)).toEqual(expect.arrayContaining([
      'OptimismPortalProxy', 'SystemConfigProxy', 'DisputeGameFactoryProxy', 'AnchorStateRegistryProxy',
      'L1StandardBridgeProxy', 'L1CrossDomainMessengerProxy', 'DelayedWETHProxy', 'SuperchainConfigProxy',
    ]))
    expect(await l1().getPortalVersion({ targetChain: devnet.chains.l2 })).toEqual({ major: 3, minor: 10, patch: 0 })
    const gameImpls = parseAbi(['function gameImpls(uint32) view returns (address)'])
    expect(await devnet.l1.readContract({ address: c.DisputeGameFactoryProxy, abi: gameImpls, functionName: 'gameImpls', args: [255] })).toBe(c.FaultDisputeGameAlphabet)
    const anchors = parseAbi(['function anchors(uint32) view returns (bytes32, uint256)'])
    const [root] = await devnet.l1.readContract({ address: c.AnchorStateRegistryProxy, abi: anchors, functionName: 'anchors', args: [255] })
    const output = await rpc<{ outputRoot: Hex }>(devnet.endpoints.sequencer.rollup, 'optimism_outputAtBlock', ['0x0'])
    expect(root).toBe(output.outputRoot)
    const config = await rpc<{ deposit_contract_address: string; l1_system_config_address: string }>(devnet.endpoints.sequencer.rollup, 'optimism_rollupConfig')
    expect([config.deposit_contract_address, config.l1_system_config_address].map((a) => a.toLowerCase())).toEqual(
      [c.OptimismPortalProxy, c.SystemConfigProxy].map((a) => a.toLowerCase()),
    )
  })

  test('behavior: a deposit made with depositTransaction appears on L2 with its source hash', async () => {
    const account = privateKeyToAccount(devnet.keys.accounts[5].privateKey)
    const to = '0x000000000000000000000000000000000000bEEF'
    const wallet = createWalletClient({ account, chain: devnet.chains.l1, transport: http() }).extend(walletActionsL1())
    const before = await devnet.l2().getBalance({ address: to })
    const args = await l2().buildDepositTransaction({ account, mint: parseEther('1.5'), to })
    const hash = await wallet.depositTransaction(args)
    const receipt = await devnet.l1.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    const [l2Hash] = getL2TransactionHashes(receipt)
    const l2Receipt = await waitFor('the deposit on L2', () => devnet.l2().getTransactionReceipt({ hash: l2Hash }).catch(() => undefined), 30_000)
    expect(l2Receipt.status).toBe('success')
    expect(await devnet.l2().getBalance({ address: to })).toBe(before + parseEther('1.5'))
    const [log] = parseEventLogs({ abi: parseAbi(['event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData)']), logs: receipt.logs })
    const tx = await devnet.l2().getTransaction({ hash: l2Hash })
    expect((tx as unknown as { sourceHash: Hex }).sourceHash).toBe(getSourceHash({ domain: 'userDeposit', l1BlockHash: receipt.blockHash, l1LogIndex: log.logIndex }))
    // And the replica derived the same block from L1.
    await waitFor('the replica has the deposit', () => devnet.l2('replica-0').getTransactionReceipt({ hash: l2Hash }).catch(() => undefined), 30_000)
  }, 60_000)

  test('behavior: estimateL1Fee and getL1BaseFee read the GasPriceOracle', async () => {
    await waitFor('a non-zero L1 base fee on L2', async () => (await l2().getL1BaseFee()) > 0n, 20_000)
    const account = devnet.keys.accounts[6].address
    const fee = await l2().estimateL1Fee({ account, to: '0x000000000000000000000000000000000000bEEF', value: 1n })
    expect(fee).toBeGreaterThan(0n)
  })

  test('behavior: SystemConfig updates by the admin key reach L2 (fee scalars) and derivation (batcher)', async () => {
    const c = devnet.descriptor().contracts!.l1
    const admin = privateKeyToAccount(devnet.keys.admin.privateKey)
    const wallet = createWalletClient({ account: admin, chain: devnet.chains.l1, transport: http() })
    const systemConfig = parseAbi(['function setGasConfigEcotone(uint32, uint32)', 'function setBatcherHash(bytes32)'])
    const l1Block = parseAbi(['function baseFeeScalar() view returns (uint32)', 'function blobBaseFeeScalar() view returns (uint32)', 'function batcherHash() view returns (bytes32)'])
    const send = async (functionName: 'setGasConfigEcotone' | 'setBatcherHash', args: readonly unknown[]) => {
      const hash = await wallet.writeContract({ address: c.SystemConfigProxy, abi: systemConfig, functionName, args } as never)
      expect((await devnet.l1.waitForTransactionReceipt({ hash })).status).toBe('success')
    }
    const read = (node: string, functionName: 'baseFeeScalar' | 'blobBaseFeeScalar' | 'batcherHash') =>
      devnet.l2(node).readContract({ address: '0x4200000000000000000000000000000000000015', abi: l1Block, functionName })

    await send('setGasConfigEcotone', [2000, 700_000])
    for (const node of ['sequencer', 'replica-0']) {
      await waitFor(`${node}: L1Block carries the new scalars`, async () => (await read(node, 'baseFeeScalar')) === 2000 && (await read(node, 'blobBaseFeeScalar')) === 700_000, 30_000)
    }

    // Another batcher: the replica ignores the lite batcher's transactions until the batcher is set back.
    const other = devnet.keys.accounts[7].address
    await send('setBatcherHash', [`0x${other.slice(2).toLowerCase().padStart(64, '0')}`])
    await waitFor('the sequencer carries the new batcher hash', async () => String(await read('sequencer', 'batcherHash')).endsWith(other.slice(2).toLowerCase()), 30_000)
    await waitFor('the replica ignores the old batcher', async () => devnet.service('replica-0').logs(400).some((line) => line.includes('unauthorized sender')), 30_000)
    await send('setBatcherHash', [`0x${devnet.keys.batcher.address.slice(2).toLowerCase().padStart(64, '0')}`])
    const target = await devnet.l2().getBlock()
    await waitFor('the replica derives again', async () => (await rpc(devnet.endpoints['replica-0'].rollup, 'optimism_syncStatus')).safe_l2.number > target.number, 60_000)
    // The batcher posted the ignored blocks again once the node had derived past their channels (as
    // op-batcher does), within the sequencing window: the blocks derived are the sequencer's, not
    // deposit-only blocks that replaced them after the window expired.
    expect(devnet.service('batcher').logs(2000).some((line) => line.includes('sequencer did not make expected progress'))).toBe(true)
    expect((await devnet.l2('replica-0').getBlock({ blockNumber: target.number })).hash).toBe(target.hash)
  }, 120_000)

  test('behavior: a gas limit update reaches later L2 blocks; an unsafe block signer update changes which gossip the replica accepts', async () => {
    const c = devnet.descriptor().contracts!.l1
    const admin = privateKeyToAccount(devnet.keys.admin.privateKey)
    const wallet = createWalletClient({ account: admin, chain: devnet.chains.l1, transport: http() })
    const abi = parseAbi(['function setGasLimit(uint64)', 'function setUnsafeBlockSigner(address)'])
    const send = async (functionName: 'setGasLimit' | 'setUnsafeBlockSigner', args: readonly unknown[]) => {
      const hash = await wallet.writeContract({ address: c.SystemConfigProxy, abi, functionName, args } as never)
      expect((await devnet.l1.waitForTransactionReceipt({ hash })).status).toBe('success')
    }
    await send('setGasLimit', [45_000_000n])
    for (const node of ['sequencer', 'replica-0']) {
      await waitFor(`${node}: L2 blocks carry the new gas limit`, async () => (await devnet.l2(node).getBlock()).gasLimit === 45_000_000n, 30_000)
    }
    // The replica derives the same blocks from L1.
    const target = Number(await devnet.l2().getBlockNumber())
    await waitFor('the replica derives past the update', async () => (await rpc(devnet.endpoints['replica-0'].rollup, 'optimism_syncStatus')).safe_l2.number > target, 60_000)

    // Another unsafe block signer: the replica rejects the sequencer's gossip until it is set back.
    await send('setUnsafeBlockSigner', [devnet.keys.accounts[7].address])
    await waitFor('the replica rejects gossip from the old signer', async () => devnet.service('replica-0').logs(400).some((line) => line.includes('rejecting gossip block')), 30_000)
    await send('setUnsafeBlockSigner', [devnet.keys.sequencer.address])
    const head = Number(await devnet.l2().getBlockNumber())
    await waitFor('the replica takes gossip again (unsafe ahead of safe)', async () => {
      const s = await rpc(devnet.endpoints['replica-0'].rollup, 'optimism_syncStatus')
      return s.unsafe_l2.number > head && s.unsafe_l2.number > s.safe_l2.number
    }, 30_000)
  }, 120_000)
})

describe('settlement topology errors', () => {
  test('error: a zero proposal interval or an unregistered game type stops `startDevnet` before anything starts', async () => {
    for (const [line, message] of [
      ['  proposalIntervalSeconds: 0', 'settlement.proposalIntervalSeconds: expected an integer >= 1, found 0'],
      ['  gameType: 1', 'settlement.gameType: game type 1 (PERMISSIONED_CANNON) is not registered'],
    ]) {
      const file = join(root, 'bad.yaml')
      writeFileSync(file, `name: bad\nsettlement:\n${line}\n`)
      const stateDir = join(root, 'bad-state')
      const error = await startDevnet({ runtime: 'process', file, stateDir }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SpecError)
      expect((error as SpecError).message).toContain(`${file}:3 ${message}`)
      expect(existsSync(stateDir)).toBe(false)
    }
  })
})

