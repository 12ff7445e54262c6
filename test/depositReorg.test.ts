/**
 * Deposits across L1 reorgs on every runtime: an L1 reorg that removes a deposit removes it from
 * L2; re-inclusion on the new branch brings it back (as a new deposit: its source hash names the new L1
 * block).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, http, parseEther, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getL2TransactionHashes, publicActionsL2, walletActionsL1 } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { newFaultState } from '../src/faults/context.js'
import { l1Reorg } from '../src/faults/l1Reorg.js'
import { sendDepositLoad } from '../src/scenario/deposits.js'
import { runScenario } from '../src/scenario/runner.js'
import { sequencerCaughtUp, suiteTopology, testRuntimes, testSpeed, waitFor } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-deposit-reorg-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const built = requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')
for (const runtime of testRuntimes()) built(`deposits across L1 reorgs on ${runtime}`, () => {
  let devnet: Devnet
  beforeAll(async () => {
    // Its own name: on docker, devnet names are engine-wide, and other suites run the default one meanwhile.
    const topology = suiteTopology()
    topology.name = `deposit-reorg-${runtime}`
    devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir: join(root, `devnet-${runtime}`) }) // speed 1: at speed 4 on docker the dropped deposit stayed on L2 in 2 of 5 runs (not understood)
    // A loaded machine can start the chain late: the reorgs below must reach a deposit's L1 block, so its
    // L2 inclusion must follow at once (not after the sequencer catches up with the wall clock).
    await sequencerCaughtUp(devnet)
  }, 240_000)
  afterAll(async () => {
    await devnet?.stop()
  })

  /** Deposits `amount` to `to`, waits for it on L2; returns the L1 receipt and the L2 hash. */
  async function deposit(to: Address, amount: bigint) {
    const account = privateKeyToAccount(devnet.keys.accounts[8].privateKey)
    const wallet = createWalletClient({ account, chain: devnet.chains.l1, transport: http() }).extend(walletActionsL1())
    const l2 = createPublicClient({ chain: devnet.chains.l2, transport: http() }).extend(publicActionsL2())
    const args = await l2.buildDepositTransaction({ account, mint: amount, to })
    const receipt = await devnet.l1.waitForTransactionReceipt({ hash: await wallet.depositTransaction(args) })
    const [l2Hash] = getL2TransactionHashes(receipt)
    await waitFor('the deposit on L2', () => devnet.l2().getTransactionReceipt({ hash: l2Hash }).catch(() => undefined), 90_000)
    return { receipt, l2Hash }
  }
  test('behavior: background deposit load: every deposit sent reaches L2', async () => {
    const load = await sendDepositLoad(devnet, 7, { rate: 2, durationMs: 6000 })
    expect(load.failed, load.firstError).toBe(0)
    expect(load.sent).toBeGreaterThan(0)
    for (const hash of load.hashes) {
      const receipt = await devnet.l1.waitForTransactionReceipt({ hash })
      expect(receipt.status).toBe('success')
      const [l2Hash] = getL2TransactionHashes(receipt)
      await waitFor(`deposit ${hash} on L2`, () => devnet.l2().getTransactionReceipt({ hash: l2Hash }).catch(() => undefined), 90_000)
    }
  }, 240_000)

  const reorgOut = (blockNumber: bigint, reinclude: boolean) =>
    devnet.l1.getBlockNumber({ cacheTime: 0 }).then((head) =>
      l1Reorg({ devnet, state: newFaultState(), record: () => {} }, { depth: Number(head - blockNumber) + 1, reinclude }),
    )
  const gone = (hash: Hex) => devnet.l2().getTransactionReceipt({ hash }).then(() => false, () => true)

  test('behavior: a reorg that drops the deposit removes it from L2', async () => {
    const to = '0x00000000000000000000000000000000000dead1'
    const { receipt, l2Hash } = await deposit(to, parseEther('2'))
    expect(await devnet.l2().getBalance({ address: to })).toBe(parseEther('2'))
    await reorgOut(receipt.blockNumber, false)
    await waitFor('the deposit leaves L2', () => gone(l2Hash), 90_000)
    await waitFor('the balance is back to 0', async () => (await devnet.l2().getBalance({ address: to })) === 0n, 90_000)
  }, 240_000)

  test('behavior: re-included on the new branch, the deposit comes back under its new source hash', async () => {
    const to = '0x00000000000000000000000000000000000dead2'
    const { receipt, l2Hash } = await deposit(to, parseEther('3'))
    await reorgOut(receipt.blockNumber, true)
    await waitFor('the old deposit leaves L2', () => gone(l2Hash), 90_000)
    const [l1Tx] = [receipt.transactionHash]
    const again = await waitFor('the deposit re-included on L1', () => devnet.l1.getTransactionReceipt({ hash: l1Tx }).catch(() => undefined), 90_000)
    expect(again.blockHash).not.toBe(receipt.blockHash)
    const [newHash] = getL2TransactionHashes(again)
    await waitFor('the re-included deposit on L2', () => devnet.l2().getTransactionReceipt({ hash: newHash }).catch(() => undefined), 90_000)
    expect(await devnet.l2().getBalance({ address: to })).toBe(parseEther('3'))
    await waitFor('the replica agrees', async () => (await devnet.l2('replica-0').getBalance({ address: to })) === parseEther('3'), 60_000)
  }, 240_000)
})

// The process half only: not defined at all in the docker tier (a skipped test there would read as a gap).
if (testRuntimes().includes('process')) describe('scenario deposit-reorged-out on process', () => {
  test('behavior: the recorder sees the deposit on L2 then gone from every node, and the re-included one on every node', async () => {
    const { result, history } = await runScenario(new URL('../scenarios/deposit-reorged-out.yaml', import.meta.url).pathname, { runtime: 'process', speed: testSpeed })
    expect(result.passed, JSON.stringify([result.error, result.violations, result.steps.filter((s) => s.status === 'failed')])).toBe(true)
    expect(result.invariants).toContain('depositsIncluded')
    const deposits = history.deposits!
    const [old, again] = deposits.l1
    expect(deposits.l1).toHaveLength(2)
    expect([old.l1.number, old.logIndex]).toEqual([again.l1.number, again.logIndex])
    expect(history.l1Canonical[old.l1.number]).toBe(again.l1.hash)
    const last = (l2Hash: string, node: string) => deposits.onL2.filter((o) => o.l2Hash === l2Hash && o.node === node).at(-1)?.block
    expect(deposits.onL2.some((o) => o.l2Hash === old.l2Hash && o.node === 'sequencer' && o.block)).toBe(true)
    for (const node of history.nodes) {
      expect(last(old.l2Hash, node) ?? null).toBeNull()
      expect(last(again.l2Hash, node)).toBeTruthy()
    }
  }, 180_000)
})
