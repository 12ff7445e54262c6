/**
 * Crash-safe nodes: a rollup node keeps its chain across a crash (SIGKILL) + start and a restart, as
 * op-geth keeps its database, resumes from its persisted heads and catches up, with the states of the
 * blocks above its floor snapshot rebuilt (rollbacks and output roots below the loaded head work);
 * `wipeState` gives a cold start from genesis. L2 blocks carry the fields anvil lets the node set from the L1 origin.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { NODE_DATA_DIR } from '../src/components/rollup-node/config.js'
import { Engine, replayBlocks } from '../src/components/rollup-node/engine.js'
import { readSnapshot, SNAPSHOT_FILE } from '../src/components/rollup-node/persist.js'
import { rpcClient } from '../src/components/shared/jsonrpc.js'
import { logger } from '../src/components/shared/log.js'
import { anvilBinary } from '../src/runtime/process/index.js'
import { startDevnet, type Devnet } from '../src/devnet/index.js'
import { reorgL1From, rpc, suiteTopology, syncStatus, testRuntimes, waitFor } from './helpers.js'

const hex = (n: number) => `0x${n.toString(16)}`
const blockHash = async (url: string, n: number) => (await rpc<{ hash: string } | null>(url, 'eth_getBlockByNumber', [hex(n), false]))?.hash

describe.each(testRuntimes())('crash-safe nodes on %s', (runtime) => {
  let devnet: Devnet
  let stateDir: string
  const snapshot = (service: string) => join(devnet.stateDir, service, NODE_DATA_DIR, SNAPSHOT_FILE)
  /** Log lines written since `mark` (the byte length of the log file then). */
  const logSince = (service: string, mark: number) => readFileSync(devnet.service(service).logFile, 'utf8').slice(mark)
  const logMark = (service: string) => readFileSync(devnet.service(service).logFile, 'utf8').length

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-restart-'))
    const topology = suiteTopology()
    topology.name = 'restart'
    // Speed 1: the L1 reorg under a stopped node's snapshot must land above L1 finality, and at speed 4 a
    // loaded machine's graceful stop and restart took long enough in chain time for it not to.
    devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir })
  })

  afterAll(async () => {
    await devnet?.stop()
    if (!process.env.KEEP_STATE) rmSync(stateDir, { recursive: true, force: true })
  })

  /**
   * Waits until `node`'s unsafe head is at least the sequencer's head of now, with the same block there
   * (after an L1 reorg the sequencer may still be replacing blocks at that height: agreement is awaited).
   */
  async function caughtUp(node: string): Promise<void> {
    const seq = devnet.endpoints.sequencer
    const target = (await syncStatus(seq.rollup)).unsafe_l2.number
    await waitFor(`${node} unsafe >= ${target}`, async () => (await syncStatus(devnet.endpoints[node].rollup)).unsafe_l2.number >= target, 60_000)
    await waitFor(`${node} agrees with the sequencer at ${target}`, async () => (await blockHash(devnet.endpoints[node].el, target)) === (await blockHash(seq.el, target)), 30_000)
  }

  test('behavior: a replica crashed with SIGKILL keeps its blocks and catches up', async () => {
    const rep = devnet.endpoints['replica-0']
    await waitFor('replica safe >= 3 and unsafe >= 8', async () => {
      const s = await syncStatus(rep.rollup)
      return s.safe_l2.number >= 3 && s.unsafe_l2.number >= 8
    }, 60_000)
    await waitFor('a snapshot on disk', async () => existsSync(snapshot('replica-0')))
    // Two more snapshot periods, so the snapshot holds several blocks.
    await new Promise((r) => setTimeout(r, 2500))
    // Kill right after the finalized head moves: it must not move back across the crash.
    const fin0 = (await syncStatus(rep.rollup)).finalized_l2.number
    await waitFor('replica finalized advances', async () => (await syncStatus(rep.rollup)).finalized_l2.number > fin0, 60_000)
    // Beside the latest snapshot, a floor one at or below the finalized head (the resume rebuilds above it).
    // The finalized head is read after the floor: a floor is promoted once finality reaches its head, and on
    // a busy machine finality can move by several blocks (and promote another floor) between two reads.
    const floor = await waitFor('a floor snapshot', async () => readSnapshot(dirname(snapshot('replica-0')), () => {}, 'floor'), 30_000)
    const finalizedBefore = (await syncStatus(rep.rollup)).finalized_l2
    expect(floor.head!.number).toBeLessThanOrEqual(finalizedBefore.number)
    const handle = devnet.service('replica-0')
    await handle.kill('SIGKILL')
    expect(handle.state()).toBe('exited')
    const mark = logMark('replica-0')
    await handle.restart()
    const s = await syncStatus(rep.rollup)
    expect(s.unsafe_l2.number).toBeGreaterThan(0)
    expect(logSince('replica-0', mark)).toContain('resumed from snapshot')
    expect(s.finalized_l2.number).toBeGreaterThanOrEqual(finalizedBefore.number)
    for (let n = 1; n <= s.unsafe_l2.number; n++) expect(await blockHash(rep.el, n)).toBe(await blockHash(devnet.endpoints.sequencer.el, n))
    // The states above the floor were rebuilt: output roots below the loaded head are served, and agree.
    const output = (url: string, n: number) => rpc<{ outputRoot: string }>(url, 'optimism_outputAtBlock', [hex(n)])
    const below = Math.max(finalizedBefore.number, s.unsafe_l2.number - 3)
    expect((await output(rep.rollup, below)).outputRoot).toBe((await output(devnet.endpoints.sequencer.rollup, below)).outputRoot)
    await caughtUp('replica-0')
    // Which path brings the missed blocks back (req-resp from peers, or L1 batches when the restart takes
    // longer than the batcher's interval, as on a loaded CI machine) depends on timing, so it is not asserted
    // here: src/components/rollup-node/reqresp.test.ts shows the gap filled by req-resp, and stuck without it.
    await waitFor('replica safe advances', async () => (await syncStatus(rep.rollup)).safe_l2.number > s.safe_l2.number, 60_000)
  })

  test('behavior: a restarted sequencer resumes on its persisted chain without reorging safe blocks', async () => {
    const seq = devnet.endpoints.sequencer
    // The safe DB (optimism_safeHeadAtL1Block) below the finalized head survives the restart, as op-node's
    // does: op-challenger asks it for the L1 head of every game, including games created before a restart.
    type AtL1 = { l1Block: { number: number }; safeHead: { number: number; hash: string } }
    const atL1 = (n: number) => rpc<AtL1>(seq.rollup, 'optimism_safeHeadAtL1Block', [hex(n)]).catch(() => undefined)
    let belowFinalized: AtL1 | undefined
    await waitFor('a safe record below the finalized head (two batches finalized)', async () => {
      const s = await syncStatus(seq.rollup)
      for (let n = 1; n <= s.finalized_l1.number && !belowFinalized; n++) {
        const r = await atL1(n)
        if (r && r.safeHead.number < s.finalized_l2.number) belowFinalized = r
      }
      return belowFinalized !== undefined
    }, 60_000)
    const before = await syncStatus(seq.rollup)
    const safeHash = await blockHash(seq.el, before.safe_l2.number)
    const mark = logMark('sequencer')
    await devnet.service('sequencer').restart()
    const after = await syncStatus(seq.rollup)
    // A graceful stop writes a last snapshot: nothing is lost.
    expect(after.unsafe_l2.number).toBeGreaterThanOrEqual(before.unsafe_l2.number)
    expect(logSince('sequencer', mark)).toContain('resumed from snapshot')
    await waitFor('sequencer builds new blocks', async () => (await syncStatus(seq.rollup)).unsafe_l2.number >= after.unsafe_l2.number + 3, 30_000)
    expect(await blockHash(seq.el, before.safe_l2.number)).toBe(safeHash)
    expect(await blockHash(seq.el, before.unsafe_l2.number)).toBe(before.unsafe_l2.hash)
    expect(logSince('sequencer', mark)).not.toContain('reorging unsafe chain')
    expect(await atL1(belowFinalized!.l1Block.number)).toEqual(belowFinalized)
    await caughtUp('replica-0')
    expect(await blockHash(devnet.endpoints['replica-0'].el, before.safe_l2.number)).toBe(safeHash)
  })

  test('behavior: wipeState gives a cold start from genesis', async () => {
    const handle = devnet.service('replica-0')
    await handle.kill('SIGKILL')
    expect(existsSync(snapshot('replica-0'))).toBe(true)
    devnet.wipeState('replica-0')
    expect(existsSync(snapshot('replica-0'))).toBe(false)
    const mark = logMark('replica-0')
    await handle.restart()
    expect(logSince('replica-0', mark)).not.toContain('resumed from snapshot')
    await caughtUp('replica-0')
  })

  test('behavior: a fresh engine rebuilds a node\'s blocks with the same hashes; a block that comes out different is an error', async () => {
    const rep = devnet.endpoints['replica-0']
    await waitFor('replica unsafe >= 6', async () => (await syncStatus(rep.rollup)).unsafe_l2.number >= 6, 60_000)
    const blocks = await replayBlocks(rpcClient(rep.el), 1, 6)
    expect(blocks.every((b) => b.txs[0]?.startsWith('0x7e'))).toBe(true) // each starts with its L1-info deposit
    const dir = join(devnet.stateDir, 'replica-0')
    const conf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
    const engine = await Engine.start({ anvilBin: anvilBinary(), genesisFile: join(dir, 'l2-genesis.json'), cfg: conf.rollup, log: logger('test') })
    try {
      await engine.replay(blocks.slice(0, 3))
      expect((await engine.head()).hash).toBe(blocks[2].hash)
      await expect(engine.replay([{ ...blocks[3], timestamp: blocks[3].timestamp + 1 }])).rejects.toThrow(/^replay of block 4 gave 0x[0-9a-f]{64}, expected 0x/)
    } finally {
      await engine.stop()
    }
  })

  test('behavior: an L1 reorg under a stopped node\'s snapshot head: it rebuilds above its floor and rolls back, its finalized head never moving back', async () => {
    const rep = devnet.endpoints['replica-0']
    const handle = devnet.service('replica-0')
    const before = await syncStatus(rep.rollup)
    await handle.stop() // graceful: the snapshot holds the head of now
    // Replace every L1 block from the snapshot head's L1 origin on: the engine must reorg below the block it loads.
    await reorgL1From(devnet, before.unsafe_l2.l1origin.number) // never the finalized L1 block
    const mark = logMark('replica-0')
    await handle.restart()
    await waitFor('replica-0 rolls back to the reorg', async () => logSince('replica-0', mark).includes('rewinding engine'), 30_000)
    expect(logSince('replica-0', mark)).toMatch(/resumed from snapshot.* replayed=\d+/)
    await caughtUp('replica-0')
    expect(logSince('replica-0', mark)).not.toContain('cold start')
    expect((await syncStatus(rep.rollup)).finalized_l2.number).toBeGreaterThanOrEqual(before.finalized_l2.number)
  })

  test('behavior: L2 blocks take parentBeaconBlockRoot from their L1 origin; prevRandao is a measured limit', async () => {
    const rep = devnet.endpoints['replica-0']
    const s = await waitFor('replica safe >= 2', async () => {
      const st = await syncStatus(rep.rollup)
      return st.safe_l2.number >= 2 && st
    })
    type Fields = { hash: string; mixHash: string; parentBeaconBlockRoot: string }
    const origin = await rpc<Fields>(devnet.endpoints.l1.rpc, 'eth_getBlockByHash', [s.safe_l2.l1origin.hash, false])
    const [a, b] = await Promise.all([devnet.endpoints.sequencer.el, rep.el].map((url) => rpc<Fields>(url, 'eth_getBlockByNumber', [hex(s.safe_l2.number), false])))
    expect(b.hash).toBe(a.hash)
    for (const block of [a, b]) expect(block.parentBeaconBlockRoot).toBe(origin.parentBeaconBlockRoot)
    // anvil mines with its own prevRandao (README, lite-profile limits), the same on every node.
    expect(b.mixHash).toBe(a.mixHash)
    expect(a.mixHash).not.toBe(origin.mixHash)
    expect(readFileSync(devnet.service('sequencer').logFile, 'utf8')).toContain('cannot set prevRandao')
  })

  test('error: wipeState names an unknown service', () => {
    expect(() => devnet.wipeState('nope')).toThrow(/no service named "nope"/)
  })
})
