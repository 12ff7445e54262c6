/**
 * Sequencing window expiry: with the batcher stopped past `sequencingWindow` L1 blocks, every node
 * derives the spec's deposit-only blocks; a sequencer block that carried a user tx is replaced (an
 * unsafe reorg), and the chain goes on normally once the batcher is back.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startDevnet, type Devnet } from '../src/devnet/index.js'
import { keepIfFailed, removeOrKeep, rpc, suiteTopology, syncStatus, testRuntimes, testSpeed, waitFor, waitSettled } from './helpers.js'

describe.each(testRuntimes())('sequencing window on %s', (runtime) => {
  let devnet: Devnet
  let stateDir: string

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-window-'))
    const topology = suiteTopology()
    topology.name = 'window'
    topology.l2.sequencingWindow = 4
    devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir, speed: testSpeed })
  })

  afterAll(async () => {
    await devnet?.stop()
    removeOrKeep(stateDir)
  })

  test('behavior: a batcher outage past the window yields deposit-only blocks and an unsafe reorg', async () => {
    keepIfFailed(stateDir)
    const seq = devnet.endpoints.sequencer
    const rep = devnet.endpoints['replica-0']
    await waitSettled(devnet, 4)
    await rpc(devnet.endpoints.batcher.rpc, 'admin_stopBatcher')
    const account = privateKeyToAccount(devnet.keys.accounts[3].privateKey)
    const l2 = devnet.l2()
    const wallet = createWalletClient({ account, chain: l2.chain, transport: http(seq.el) })
    const hash = await wallet.sendTransaction({ to: account.address, value: parseEther('0.1') })
    const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 20_000 })
    const n = Number(receipt.blockNumber)
    // The window of the block's epoch expires; every node derives a deposit-only block at n.
    await waitFor(`replica safe >= ${n}`, async () => (await syncStatus(rep.rollup)).safe_l2.number >= n, 60_000)
    await waitFor(`sequencer safe >= ${n}`, async () => (await syncStatus(seq.rollup)).safe_l2.number >= n, 20_000)
    const hex = `0x${n.toString(16)}`
    const [a, b] = await Promise.all([rpc(seq.el, 'eth_getBlockByNumber', [hex, true]), rpc(rep.el, 'eth_getBlockByNumber', [hex, true])])
    expect(b.hash).toBe(a.hash)
    expect(a.hash).not.toBe(receipt.blockHash)
    expect(a.transactions.map((t: { type: string }) => t.type)).toEqual(['0x7e'])
    // The tx left block n; the sequencer put it back in its pool (as op-geth's txpool does on a reorg), so
    // it may already sit in a later unsafe block, never in the dropped one.
    const again = await rpc(seq.el, 'eth_getTransactionReceipt', [hash])
    if (again) expect(again.blockHash).not.toBe(receipt.blockHash)
    expect(readFileSync(devnet.service('sequencer').logFile, 'utf8')).toContain('reorging unsafe chain')
    // Back to normal: the batcher resumes and safe heads follow batches again.
    await rpc(devnet.endpoints.batcher.rpc, 'admin_startBatcher')
    const unsafeNow = (await syncStatus(seq.rollup)).unsafe_l2.number
    await waitFor('replica safe catches up with the sequencer', async () => (await syncStatus(rep.rollup)).safe_l2.number >= unsafeNow, 60_000)
    // The replica's safe block is the sequencer's (asked until both engines hold it: either may be mid-rewind).
    await waitFor('the replica\'s safe block is the sequencer\'s', async () => {
      const [rs, ss] = await Promise.all([syncStatus(rep.rollup), syncStatus(seq.rollup)])
      const top = `0x${rs.safe_l2.number.toString(16)}`
      const [r, q] = await Promise.all([rpc(rep.el, 'eth_getBlockByNumber', [top, false]), rpc(seq.el, 'eth_getBlockByNumber', [top, false])])
      if (r && q && r.hash === q.hash) return true
      const heads = (s: typeof rs) => `unsafe ${s.unsafe_l2.number}, safe ${s.safe_l2.number}, L1 ${s.current_l1.number}`
      throw new Error(`block ${rs.safe_l2.number}: replica ${r?.hash ?? 'none'}, sequencer ${q?.hash ?? 'none'} (replica ${heads(rs)}; sequencer ${heads(ss)})`)
    }, 30_000)
    // The dropped tx lands again, in a block above n.
    await waitFor('the dropped tx lands on the replica', async () => (await rpc(rep.el, 'eth_getTransactionReceipt', [hash])) !== null, 30_000)
    const landed = await rpc(rep.el, 'eth_getTransactionReceipt', [hash])
    expect(landed.status).toBe('0x1')
    expect(Number(landed.blockNumber)).toBeGreaterThan(n)
  })
})

// The orchestrator's side of the window: a start that takes longer than the window leaves the sequencer
// many blocks to build, all in L1 genesis's epoch; built before L1 mines its first block, none expire.
if (testRuntimes().includes('process')) describe('a start longer than the sequencing window (process)', () => {
  let devnet: Devnet
  let stateDir: string

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-late-'))
    const topology = suiteTopology()
    topology.name = 'late'
    // 16 L1 blocks (32 s of chain time, 8 s of wall at speed 4) for the batcher to post the first epoch's
    // 360 blocks once L1 resumes: with 8 (4 s of wall) it missed when three suites ran side by side.
    topology.l2.sequencingWindow = 16
    // As if the start had taken 90 s: 360 L2 blocks of chain time (1 s blocks, speed 4) behind the clock.
    const genesisTime = Math.floor(Date.now() / 1000) - 90
    devnet = await startDevnet({ topology, runtime: 'process', ports: 'auto', stateDir, speed: testSpeed, genesisTime })
  })

  afterAll(async () => {
    await devnet?.stop()
    removeOrKeep(stateDir)
  })

  test('behavior: the start\'s catch-up is all in the first epoch; every block of it is posted in time, none replaced', async () => {
    keepIfFailed(stateDir)
    const seq = devnet.endpoints.sequencer
    const rep = devnet.endpoints['replica-0']
    // L1's first block is mined at the slot it resumes in (right before the start returns), and the
    // sequencer adopts it as origin from its next block on: a loaded machine may look after that. The
    // first epoch's last block is the one its window is about.
    const head = await lastBlockOfEpoch0(seq.rollup)
    expect(head.number).toBeGreaterThan(300)
    await waitFor(`replica safe >= ${head.number}`, async () => (await syncStatus(rep.rollup)).safe_l2.number >= head.number, 60_000)
    const hex = `0x${head.number.toString(16)}`
    const [a, b] = await Promise.all([rpc(seq.el, 'eth_getBlockByNumber', [hex, false]), rpc(rep.el, 'eth_getBlockByNumber', [hex, false])])
    expect([a.hash, b.hash]).toEqual([head.hash, head.hash])
    for (const node of ['sequencer', 'replica-0']) expect(readFileSync(devnet.service(node).logFile, 'utf8')).not.toContain('sequencing window expired')
  })
})

/** The last L2 block whose L1 origin is L1's genesis, by bisection on `optimism_outputAtBlock`'s block refs. */
async function lastBlockOfEpoch0(rollupUrl: string): Promise<{ number: number; hash: string }> {
  type Ref = { number: number; hash: string; l1origin: { number: number } }
  const ref = async (n: number): Promise<Ref> => (await rpc(rollupUrl, 'optimism_outputAtBlock', [`0x${n.toString(16)}`])).blockRef
  const unsafe = (await syncStatus(rollupUrl)).unsafe_l2 as Ref
  if (unsafe.l1origin.number === 0) return unsafe
  let [lo, hi] = [0, unsafe.number] // block lo is in epoch 0, block hi is not
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if ((await ref(mid)).l1origin.number === 0) lo = mid
    else hi = mid
  }
  return ref(lo)
}
