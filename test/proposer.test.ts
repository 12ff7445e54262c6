/**
 * The lite proposer in a devnet on the process runtime: games every proposal interval with the honest
 * output root of a safe block, listed by `status()`; its Prometheus metrics; its admin API; a proposal that exists is skipped; a
 * restart resumes from the factory (no second game within the interval); an L1 reorg that removes its last game makes it propose again.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWalletClient, http, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { PROPOSER_VERSION, startProposer } from '../src/components/proposer/index.js'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Proposer, type ProposerStatus } from '../src/components/proposer/proposer.js'
import { proposerMetrics } from '../src/components/proposer/metrics.js'
import { logger } from '../src/components/shared/log.js'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { wallDuration } from '../src/protocol/clock.js'
import { readGames, type DevnetGame } from '../src/devnet/games.js'
import { SpecError } from '../src/errors.js'
import { disputeGameFactoryAbi, proposalExtraData } from '../src/protocol/disputeGames.js'
import { jsonRpcRelay, metric, reorgL1From, roundsUnderHeldL1, rpc, suiteTopology, syncStatus, testSpeed, waitFor } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-proposer-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('proposer on process', () => {
  let devnet: Devnet
  const games = () => readGames(devnet.l1, devnet.contracts.l1.DisputeGameFactoryProxy)
  const proposerStatus = () => rpc<ProposerStatus>(devnet.endpoints.proposer.rpc, 'proposer_status')
  const interval = () => devnet.topology.settlement.proposalIntervalSeconds
  /**
   * Each game claims the output root the replica computes for its block, once the replica has settled:
   * after an L1 reorg it may still hold the block it derived from a removed L1 block for a moment.
   */
  const expectHonest = async (list: DevnetGame[]) => {
    const outputAt = async (block: number) => (await rpc<{ outputRoot: Hex }>(devnet.endpoints['replica-0'].rollup, 'optimism_outputAtBlock', [`0x${block.toString(16)}`])).outputRoot
    for (const game of list) {
      const output = await waitFor(`the replica's output root at block ${game.l2Block} equal to game ${game.index}'s`, async () => {
        const root = await outputAt(game.l2Block).catch(() => undefined)
        return root === game.root && root
      }, 20_000, 250).catch(() => outputAt(game.l2Block))
      expect(game.root, `game ${game.index} at block ${game.l2Block}`).toBe(output)
    }
  }

  /** A second proposer of this devnet (the sequencer's rollup RPC, the topology's game type) started by a test. */
  const proposerConf = (c: { privateKey: Hex; gameType?: number; rollupRpc?: string[] }) => ({
    l1EthRpc: devnet.endpoints.l1.rpc, rollupRpc: c.rollupRpc ?? [devnet.endpoints.sequencer.rollup], activeSequencerCheckMs: 0, gameFactoryAddress: devnet.contracts.l1.DisputeGameFactoryProxy,
    gameType: c.gameType ?? devnet.topology.settlement.gameType, proposalIntervalMs: 1000, pollIntervalMs: 200, allowNonFinalized: true, privateKey: c.privateKey,
    rpc: { addr: '127.0.0.1', port: 0 }, metrics: { enabled: false, addr: '127.0.0.1', port: 0 }, stopped: false,
  })

  beforeAll(async () => {
    devnet = await startDevnet({ topology: suiteTopology(), runtime: 'process', ports: 'auto', stateDir: join(root, 'devnet'), speed: testSpeed })
  }, 60_000)
  afterAll(async () => {
    await devnet?.stop()
  })

  test('default: games of the topology type with honest roots of safe blocks, one per interval, listed by status()', async () => {
    const list = await waitFor('two games', async () => ((await games()).length >= 2 ? games() : undefined), 60_000, 250)
    expect(list.every((g) => g.type === devnet.topology.settlement.gameType && g.l2Block > 0)).toBe(true)
    await expectHonest(list)
    for (let i = 1; i < list.length; i++) expect(list[i].createdAt - list[i - 1].createdAt).toBeGreaterThanOrEqual(interval())
    const status = await devnet.status()
    expect(status.services.find((s) => s.name === 'proposer')).toMatchObject({ role: 'proposer', endpoints: { rpc: devnet.endpoints.proposer.rpc } })
    expect(status.games?.slice(0, 2)).toEqual(list.slice(0, 2).map((g) => ({ ...g, status: expect.any(String), resolvedAt: expect.any(Number) })))
    const health = await fetch(devnet.endpoints.proposer.rpc.replace(/\/?$/, '/healthz')).then((r) => r.json())
    expect(health).toMatchObject({ version: expect.any(String), active: true, address: devnet.keys.proposer.address })
  }, 90_000)

  test('behavior: op-proposer\'s Prometheus metrics on the metrics port follow the proposals it makes', async () => {
    const url = devnet.endpoints.proposer.metrics
    expect(await metric(url, `op_proposer_default_info{version="${PROPOSER_VERSION}"}`)).toBe(1)
    expect(await metric(url, 'op_proposer_default_up')).toBe(1)
    const confirmed = () => metric(url, 'op_proposer_default_txmgr_confirm_total{status="success"}')
    const before = await confirmed()
    await waitFor('another proposal confirmed', async () => (await confirmed()) > before, 30_000, 250)
    const { lastGame, proposals } = await proposerStatus()
    expect(await metric(url, 'op_proposer_default_refs_number{layer="l2",type="proposed"}')).toBeGreaterThanOrEqual(lastGame!.l2Block)
    expect(await metric(url, 'op_proposer_default_txmgr_publish_total')).toBeGreaterThanOrEqual(proposals)
  }, 60_000)

  test('behavior: admin_stopProposer stops proposing, admin_startProposer resumes, each refused twice as op-proposer does', async () => {
    await rpc(devnet.endpoints.proposer.rpc, 'admin_stopProposer')
    await expect(rpc(devnet.endpoints.proposer.rpc, 'admin_stopProposer')).rejects.toThrow('proposer is not running')
    const stoppedAt = (await games()).length
    await new Promise((resolve) => setTimeout(resolve, wallDuration(devnet.clock, (interval() + 3) * 1000)))
    expect((await games()).length).toBe(stoppedAt)
    await rpc(devnet.endpoints.proposer.rpc, 'admin_startProposer')
    await expect(rpc(devnet.endpoints.proposer.rpc, 'admin_startProposer')).rejects.toThrow('proposer is already running')
    await waitFor('a game after the restart of proposing', async () => (await games()).length > stoppedAt, 30_000, 250)
  }, 60_000)

  test('behavior: a proposal that exists already (same type, root and block) is skipped, not sent', async () => {
    const proposerRpc = devnet.endpoints.proposer.rpc
    await rpc(proposerRpc, 'admin_stopProposer')
    await rpc(devnet.endpoints.batcher.rpc, 'admin_stopBatcher')
    try {
      // With the batcher stopped the safe head stays put (for the sequencing window, 40 chain s): someone
      // else proposes it first. Waits are in chain time, so the window outlasts the test at any speed.
      const safe = await waitFor('a still safe head', async () => {
        const a = (await syncStatus(devnet.endpoints.sequencer.rollup)).safe_l2.number
        await new Promise((resolve) => setTimeout(resolve, wallDuration(devnet.clock, 3000)))
        return (await syncStatus(devnet.endpoints.sequencer.rollup)).safe_l2.number === a && a
      }, 30_000)
      const { outputRoot } = await rpc<{ outputRoot: Hex }>(devnet.endpoints.sequencer.rollup, 'optimism_outputAtBlock', [`0x${safe.toString(16)}`])
      const factory = devnet.contracts.l1.DisputeGameFactoryProxy
      const gameType = devnet.topology.settlement.gameType
      const wallet = createWalletClient({ account: privateKeyToAccount(devnet.keys.accounts[8].privateKey), chain: devnet.chains.l1, transport: http() })
      const bond = await devnet.l1.readContract({ address: factory, abi: disputeGameFactoryAbi, functionName: 'initBonds', args: [gameType] })
      const hash = await wallet.writeContract({ address: factory, abi: disputeGameFactoryAbi, functionName: 'create', args: [gameType, outputRoot, proposalExtraData(safe)], value: bond })
      expect((await devnet.l1.waitForTransactionReceipt({ hash })).status).toBe('success')
      const count = (await games()).length
      const skipped = (await proposerStatus()).skippedExisting
      await new Promise((resolve) => setTimeout(resolve, wallDuration(devnet.clock, interval() * 1000))) // its own last game is out of the interval
      await rpc(proposerRpc, 'admin_startProposer')
      await waitFor('the proposer skips the existing proposal', async () => (await proposerStatus()).skippedExisting > skipped, 20_000, 100)
      expect((await games()).length).toBe(count)
    } finally {
      await rpc(devnet.endpoints.batcher.rpc, 'admin_startBatcher')
      await rpc(proposerRpc, 'admin_startProposer').catch(() => {})
    }
  }, 90_000)

  test('error: a proposer whose balance is below the bond, or whose game type is not registered, refuses and says why', async () => {
    const unfunded = await startProposer(proposerConf({ privateKey: generatePrivateKey() }))
    const unregistered = await startProposer(proposerConf({ gameType: 0, privateKey: devnet.keys.accounts[8].privateKey }))
    try {
      const count = (await games()).length
      await waitFor('the balance refusal', async () => unfunded.proposer.status().lastError?.match(/balance \(0 wei\) is below the init bond of game type 255 \(\d+ wei\)/), 20_000)
      await waitFor('the game type refusal', async () => unregistered.proposer.status().lastError?.includes('game type 0 is not registered in the DisputeGameFactory'), 20_000)
      expect([unfunded.proposer.status().proposals, unregistered.proposer.status().proposals]).toEqual([0, 0])
      expect((await games()).slice(count).every((g) => g.type === devnet.topology.settlement.gameType)).toBe(true)
    } finally {
      await Promise.all([unfunded.stop(), unregistered.stop()])
    }
  }, 60_000)

  test('behavior: a restarted proposer resumes from the factory: no second game within the interval', async () => {
    const seen = (await games()).length
    const before = await waitFor('a new game', async () => ((await games()).length > seen ? games() : undefined), 30_000, 100)
    await devnet.service('proposer').restart()
    const after = await waitFor('the next game', async () => ((await games()).length > before.length ? games() : undefined), 30_000, 250)
    expect(after[before.length].createdAt - before[before.length - 1].createdAt).toBeGreaterThanOrEqual(interval())
    await expectHonest(after.slice(before.length))
  }, 60_000)

  test('behavior: an L1 reorg that removes its last game makes it propose again', async () => {
    // A fresh one: the reorg must stay above L1 finalized (head - 2 epochs).
    const { status } = await waitFor('a game by this process at the L1 head', async () => {
      const [s, head] = await Promise.all([proposerStatus(), rpc(devnet.endpoints.l1.rpc, 'eth_blockNumber').then(Number)])
      return s.lastGame && s.lastGame.l1Block.number >= head - 1 && { status: s, head }
    }, 30_000, 100)
    const game = status.lastGame!
    await reorgL1From(devnet, game.l1Block.number)
    expect(await rpc(devnet.endpoints.l1.rpc, 'eth_getCode', [game.proxy, 'latest'])).toBe('0x')
    const again = await waitFor('the proposer notices and proposes again', async () => {
      const s = await proposerStatus()
      // A new transaction; the clone may land at the removed game's address again (the factory's nonce went back too).
      return s.reorgs === status.reorgs + 1 && s.lastGame && s.lastGame.tx !== game.tx && s
    }, 30_000, 250)
    const list = await games()
    expect(list.map((g) => g.address), JSON.stringify({ game, again })).toContain(again.lastGame!.proxy)
    await expectHonest(list.slice(-1))
  }, 60_000)

  test('behavior: rounds under the L1 head of a round that found its game within the interval make one call', async () => {
    // The devnet's own key, with an interval of an hour: its games are this proposer's, so every round finds
    // one within the interval and none proposes. L1 is held, so the head stays the same between rounds.
    const l1 = await jsonRpcRelay(devnet.endpoints.l1.rpc)
    const conf = { ...proposerConf({ privateKey: devnet.keys.proposer.privateKey }), l1EthRpc: l1.url, proposalIntervalMs: 3_600_000 }
    const proposer = new Proposer(conf, logger('proposer-test'), proposerMetrics(PROPOSER_VERSION))
    await waitFor('a game of the devnet\'s proposer', async () => (await games()).length > 0, 30_000, 250)
    try {
      const { first, held, next } = await roundsUnderHeldL1(devnet, l1, () => proposer.tick())
      expect(first.length, first.join()).toBeGreaterThanOrEqual(3) // head, gameCount, gameAtIndex, gameCreator
      expect(held).toEqual(['eth_getBlockByNumber', 'eth_getBlockByNumber'])
      expect(next.length, next.join()).toBeGreaterThanOrEqual(3)
      expect(proposer.status().proposals).toBe(0)
    } finally {
      await l1.close()
    }
  }, 60_000)

  test('behavior: a rollup node whose L1 origin is not on L1 (an L1 reorg it has not followed) gets no proposal until it is', async () => {
    // Last in the suite: its proposer's game would count in the interval checks of the tests before. A relay
    // in front of the sequencer's rollup RPC reports another hash for its L1 origin, as a node still on
    // removed L1 blocks does.
    const stale = { on: true }
    const relay = await jsonRpcRelay(devnet.endpoints.sequencer.rollup, {
      answer: (call, answer) => {
        if (stale.on && call.method === 'optimism_syncStatus') answer.result.current_l1.hash = `0x${'ab'.repeat(32)}`
      },
    })
    const proposer = await startProposer(proposerConf({ rollupRpc: [relay.url], privateKey: devnet.keys.accounts[9].privateKey }))
    try {
      const refusal = await waitFor('the refusal', async () => proposer.proposer.status().lastError, 20_000)
      expect(refusal).toMatch(/^the rollup node's L1 origin \d+ \(0x(ab){32}\) is not on L1 \(0x[0-9a-f]{64} there\): waiting until it follows the L1 reorg$/)
      expect(proposer.proposer.status().proposals).toBe(0)
      stale.on = false
      await waitFor('a proposal once the origin is on L1', async () => proposer.proposer.status().proposals > 0, 30_000, 100)
      expect(proposer.proposer.status().lastError).toBeUndefined()
    } finally {
      await proposer.stop()
      await relay.close()
    }
  }, 60_000)
})

describe('proposer input errors', () => {
  test('error: a bond larger than the proposer\'s balance stops `startDevnet` before anything starts', async () => {
    const file = join(root, 'bond.yaml')
    writeFileSync(file, 'name: bond\nsettlement:\n  initBond: 20000 ether\n')
    const stateDir = join(root, 'bond-state')
    const error = await startDevnet({ runtime: 'process', file, stateDir }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SpecError)
    expect((error as SpecError).message).toContain(`${file}:3 settlement.initBond: expected at most the proposer's L1 balance (10000 ether`)
    expect(existsSync(stateDir)).toBe(false)
  })
})
