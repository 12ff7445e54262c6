/**
 * The scenario recorder against a node that takes connections and never answers, as a paused (SIGSTOP)
 * process does: the kernel accepts, nobody reads. A sampling round asks such a node its status and then
 * leaves it alone; before, it was asked once more per open deposit (3 s each), and after a pause with the
 * deposit load running one round took minutes, which held every later step of a 30-minute chaos run.
 * Also: rounds asked for while one runs (a fault step's, beside the timer's) wait for it, so a slow
 * answer never lands in the history after a later round's samples. And the run's last look at the dispute
 * games, with longer calls, reads the honest roots no round could; with the sequencer silent, both take
 * them from a node that answers. And a deposit whose L1 block a reorg replaced is watched until it leaves
 * L2, also when no round ran before L1 finalized the new block.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Address } from 'viem'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { l1Reorg, newFaultState } from '../src/faults/index.js'
import { readGameSamples } from '../src/devnet/games.js'
import { haltL1, resumeL1 } from '../src/devnet/clock.js'
import { chainDuration } from '../src/protocol/clock.js'
import { sendDeposit } from '../src/scenario/deposits.js'
import { Recorder } from '../src/scenario/recorder.js'
import { requires } from './requires.js'
import { jsonRpcRelay, rpc, suiteTopology, syncStatus, testSpeed, waitFor } from './helpers.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-recorder-'))
const built = requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')

built('recorder on a devnet with a silent node', () => {
  let devnet: Devnet
  let silent: Server
  const sockets: Socket[] = []
  let silentUrl = ''
  beforeAll(async () => {
    const topology = suiteTopology()
    topology.name = 'recorder-silent'
    devnet = await startDevnet({ topology, runtime: 'process', ports: 'auto', stateDir: join(root, 'state'), speed: testSpeed })
    silent = createServer((socket) => void sockets.push(socket)) // takes the connection, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`
  }, 120_000)
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    silent?.close()
    await devnet?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  test('behavior: a round asks a node that does not answer its status, and nothing about the open deposits', async () => {
    const deposits = []
    for (let i = 0; i < 4; i++) deposits.push(await sendDeposit(devnet, { mint: 1n + BigInt(i) }))
    // The sequencer's endpoints lead to the silent server; the replica and L1 are the devnet's own.
    const endpoints = { ...devnet.endpoints, sequencer: { ...devnet.endpoints.sequencer, el: silentUrl, rollup: silentUrl } }
    const seen = Object.create(devnet, { endpoints: { value: endpoints } }) as Devnet
    const recorder = new Recorder(seen, 'silent-node', 250)
    await recorder.sample() // round 0 samples the deposits
    const { history } = recorder
    expect(history.deposits?.l1.map((d) => d.l2Hash)).toEqual(expect.arrayContaining(deposits.map((d) => d.l2Hash)))
    // The replica was asked about every deposit (it answers: on its chain, or not yet)...
    expect(new Set(history.deposits?.onL2.filter((d) => d.node === 'replica-0').map((d) => d.l2Hash)).size).toBeGreaterThanOrEqual(deposits.length)
    // ...the silent sequencer only for its status (optimism_syncStatus, admin_sequencerActive), never once
    // per deposit or game.
    expect(history.samples.map((s) => s.node)).toEqual(['replica-0'])
    expect(sockets.length).toBeLessThanOrEqual(2)
  }, 120_000)

  test('behavior: with the sequencer silent, the games\' honest roots come from the replica, in a round and in the last look', async () => {
    const factory = devnet.contracts!.l1!.DisputeGameFactoryProxy as Address
    const replica = devnet.endpoints['replica-0'].rollup
    const game = await waitFor('a proposal at a block the replica has safe', async () => {
      const safe = (await syncStatus(replica)).safe_l2.number
      return (await readGameSamples(devnet.endpoints.l1.rpc, factory)).find((g) => g.l2Block <= safe)
    }, 60_000, 250)
    const { outputRoot } = await rpc<{ outputRoot: string }>(replica, 'optimism_outputAtBlock', [`0x${game.l2Block.toString(16)}`])
    const endpoints = { ...devnet.endpoints, sequencer: { ...devnet.endpoints.sequencer, el: silentUrl, rollup: silentUrl } }
    const seen = Object.create(devnet, { endpoints: { value: endpoints } }) as Devnet
    const honestOf = (recorder: Recorder) => recorder.history.games?.findLast((g) => g.index === game.index)?.honestRoot
    const rounds = new Recorder(seen, 'silent-games', 250)
    await rounds.sample() // round 0 samples the games
    expect(honestOf(rounds)).toBe(outputRoot)
    const last = new Recorder(seen, 'silent-games-last', 250)
    await last.sampleGamesFinal()
    expect(honestOf(last)).toBe(outputRoot)
  }, 120_000)

  test('behavior: a round asked for while another waits on a slow node runs after it: samples stay in time order', async () => {
    // The sequencer's rollup endpoint answers its first two calls (the first round's status) 0.6 s late:
    // under the recorder's status timeout (1 s of wall at this speed), so the round waits for it.
    let held = 0
    const slow = await jsonRpcRelay(devnet.endpoints.sequencer.rollup, { before: () => held++ < 2 && new Promise((r) => setTimeout(r, 600)) })
    try {
      const endpoints = { ...devnet.endpoints, sequencer: { ...devnet.endpoints.sequencer, rollup: slow.url } }
      const recorder = new Recorder(Object.create(devnet, { endpoints: { value: endpoints } }) as Devnet, 'slow-node', 250)
      const first = recorder.sample()
      await new Promise((r) => setTimeout(r, 300))
      await Promise.all([first, recorder.sample()])
      const sequencer = recorder.history.samples.filter((s) => s.node === 'sequencer').map((s) => s.t)
      expect(sequencer).toHaveLength(2)
      expect(sequencer).toEqual(sequencer.toSorted((a, b) => a - b))
      // The second round started once the first was done (0.6 s of wall), not 300 ms in.
      expect(sequencer[1]! - sequencer[0]!).toBeGreaterThanOrEqual(chainDuration(devnet.clock, 550))
    } finally {
      await slow.close()
    }
  }, 120_000)
  test('behavior: the run\'s last look reads the honest roots of games that every round failed to read', async () => {
    // The sequencer's rollup node answers optimism_outputAtBlock for the game's block in 4 s: over a round's
    // 3 s calls (a busy docker host), under the last look's 10 s. Without the last look it is never judged.
    let slowBlock = ''
    const slow = await jsonRpcRelay(devnet.endpoints.sequencer.rollup, {
      before: ([call]) => call.method === 'optimism_outputAtBlock' && call.params?.[0] === slowBlock && new Promise((r) => setTimeout(r, 4000)),
    })
    try {
      const factory = devnet.contracts!.l1!.DisputeGameFactoryProxy as Address
      const game = await waitFor('a proposal at a safe block', async () => {
        const safe = (await syncStatus(devnet.endpoints.sequencer.rollup)).safe_l2.number
        return (await readGameSamples(devnet.endpoints.l1.rpc, factory)).find((g) => g.l2Block <= safe)
      }, 60_000, 250)
      slowBlock = `0x${game.l2Block.toString(16)}`
      const endpoints = { ...devnet.endpoints, sequencer: { ...devnet.endpoints.sequencer, rollup: slow.url } }
      const recorder = new Recorder(Object.create(devnet, { endpoints: { value: endpoints } }) as Devnet, 'slow-output', 250)
      await recorder.sample() // the first round samples the games
      const honestOf = () => recorder.history.games?.findLast((g) => g.index === game.index)?.honestRoot
      expect(honestOf()).toBeUndefined()
      await recorder.sampleGamesFinal()
      const { outputRoot } = await rpc<{ outputRoot: string }>(devnet.endpoints.sequencer.rollup, 'optimism_outputAtBlock', [slowBlock])
      expect(honestOf()).toBe(outputRoot)
    } finally {
      await slow.close()
    }
  }, 120_000)

  test('behavior: a deposit whose L1 block a reorg replaced is asked about until it leaves L2, also once L1 finalized the new block', async () => {
    const recorder = new Recorder(devnet, 'reorged-deposit', 250)
    const finalizedNumber = async () => Number((await rpc<{ number: string }>(devnet.endpoints.l1.rpc, 'eth_getBlockByNumber', ['finalized', false])).number)
    // L1 is held from the deposit's receipt to the reorg: finalized trails L1's head by 4 blocks (2 s of
    // wall at speed 4), less than both nodes may take to hold the deposit on a loaded machine (CI once
    // finalized the deposit's block first, and the reorg was refused). A receipt that came after L1
    // finalized its block is sent again.
    let deposit: Awaited<ReturnType<typeof sendDeposit>> | undefined
    for (let attempt = 0; attempt < 5 && !deposit; attempt++) {
      const sent = await sendDeposit(devnet, { mint: 7n })
      await haltL1(devnet.endpoints)
      if ((await finalizedNumber()) < sent.l1.number) deposit = sent
      else await resumeL1(devnet.endpoints)
    }
    if (!deposit) throw new Error('every deposit\'s L1 block was finalized before L1 could be held')
    const held = deposit
    const last = (node: string) => recorder.history.deposits?.onL2.findLast((d) => d.node === node && d.l2Hash === held.l2Hash)
    const nodes = ['sequencer', 'replica-0']
    try {
      await waitFor('both nodes hold the deposit', async () => {
        await recorder.sample()
        return nodes.every((node) => last(node)?.block)
      }, 60_000, 0)
      const head = Number(await rpc<string>(devnet.endpoints.l1.rpc, 'eth_blockNumber'))
      await l1Reorg({ devnet, state: newFaultState(), record() {} }, { depth: head - held.l1.number + 1, reinclude: false })
    } finally {
      await resumeL1(devnet.endpoints)
    }
    // No round until L1 finalized the block that replaced the deposit's: the scan no longer reads it.
    await waitFor('L1 finalizes the replaced block', async () => (await finalizedNumber()) >= held.l1.number, 60_000, 250)
    await waitFor('both nodes are seen without the deposit', async () => {
      await recorder.sample()
      return nodes.every((node) => last(node) && !last(node)!.block)
    }, 60_000, 0)
  }, 180_000)
})
