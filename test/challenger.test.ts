/**
 * The lite challenger in a devnet on the process runtime, against real FaultDisputeGame bytecode: a wrong
 * output root ends CHALLENGER_WINS and the challenger's balance grows; an honest proposal is left alone and
 * ends DEFENDER_WINS; against an opponent who keeps answering with junk claims, the challenger plays the
 * output bisection and the alphabet trace down to an AlphabetVM step, and wins; its Prometheus metrics
 * count what it did; crashed and started by the lifecycle faults, it picks the games up again.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWalletClient, http, keccak256, parseAbi, toHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { depth, move } from '../src/components/challenger/position.js'
import { CHALLENGER_VERSION } from '../src/components/challenger/index.js'
import { Challenger } from '../src/components/challenger/challenger.js'
import { challengerMetrics } from '../src/components/challenger/metrics.js'
import { logger } from '../src/components/shared/log.js'
import type { HistoryEvent } from '../src/devnet/history.js'
import { createGame, defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { wallDuration } from '../src/protocol/clock.js'
import { applyFault, newFaultState, type FaultContext } from '../src/faults/index.js'
import { jsonRpcRelay, metric, roundsUnderHeldL1, rpc, suiteTopology, syncStatus, testSpeed, waitFor } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-challenger-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const gameAbi = parseAbi([
  'function status() view returns (uint8)',
  'function claimDataLen() view returns (uint256)',
  'function claimData(uint256) view returns (uint32 parentIndex, address counteredBy, address claimant, uint128 bond, bytes32 claim, uint128 position, uint128 clock)',
  'function credit(address) view returns (uint256)',
  'function getRequiredBond(uint128 _position) view returns (uint256)',
  'function move(bytes32 _disputed, uint256 _challengeIndex, bytes32 _claim, bool _isAttack) payable',
  'function l2BlockNumber() pure returns (uint256)',
])
const anchorsAbi = parseAbi(['function anchors(uint32) view returns (bytes32, uint256)'])
const CHALLENGER_WINS = 1
const DEFENDER_WINS = 2

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('challenger on process', () => {
  let devnet: Devnet
  const topology = suiteTopology()
  // Short clocks keep each game to seconds (24 chain s: 6 s of wall at the suite's speed); a split depth of
  // 2 keeps the full dispute below to 6 levels.
  topology.settlement.maxClockDuration = 24
  topology.settlement.splitDepth = 2

  beforeAll(async () => {
    devnet = await startDevnet({ topology, runtime: 'process', ports: 'auto', stateDir: join(root, 'devnet'), speed: testSpeed })
    // The tests make their own games within 2^splitDepth blocks of the anchor: the devnet's proposer would
    // move the anchor under them (its games resolve) and propose blocks beyond this short split depth.
    await rpc(devnet.endpoints.proposer.rpc, 'admin_stopProposer')
  }, 60_000)
  afterAll(async () => {
    await devnet?.stop()
  })

  const status = (game: Address) => devnet.l1.readContract({ address: game, abi: gameAbi, functionName: 'status' })
  const claims = async (game: Address) => {
    const n = Number(await devnet.l1.readContract({ address: game, abi: gameAbi, functionName: 'claimDataLen' }))
    return Promise.all(Array.from({ length: n }, (_, i) => devnet.l1.readContract({ address: game, abi: gameAbi, functionName: 'claimData', args: [BigInt(i)] })))
  }
  const honestRoot = async (block: number) => (await rpc<{ outputRoot: Hex }>(devnet.endpoints.sequencer.rollup, 'optimism_outputAtBlock', [toHex(block)])).outputRoot
  const anchorBlock = async () => Number((await devnet.l1.readContract({ address: devnet.contracts.l1.AnchorStateRegistryProxy, abi: anchorsAbi, functionName: 'anchors', args: [255] }))[1])
  /** A safe block within the 2^splitDepth blocks after the anchor. */
  const safeBlockAfterAnchor = async (offset: number) => {
    const block = (await anchorBlock()) + offset
    await waitFor(`safe head ${block}`, async () => (await syncStatus(devnet.endpoints.sequencer.rollup)).safe_l2.number >= block, 30_000)
    return block
  }
  const propose = (privateKey: Hex, rootClaim: Hex, block: number) =>
    createGame({ l1Rpc: devnet.endpoints.l1.rpc, factory: devnet.contracts.l1.DisputeGameFactoryProxy, privateKey, gameType: 255, root: rootClaim, l2Block: BigInt(block) })
  const challenger = () => devnet.keys.challenger.address

  test('default: the challenger serves its health and status', async () => {
    const s = await rpc<{ address: Address }>(devnet.endpoints.challenger.metrics, 'challenger_status')
    expect(s.address).toBe(challenger())
  })

  test('behavior: a round under the L1 head of a round that went through reads only the head', async () => {
    // Its own challenger, allowed no game of the devnet's (it must not play them), with L1 held.
    const l1 = await jsonRpcRelay(devnet.endpoints.l1.rpc)
    const cfg = {
      l1Rpc: l1.url, rollupRpc: devnet.endpoints.sequencer.rollup, factory: devnet.contracts.l1.DisputeGameFactoryProxy, privateKey: devnet.keys.accounts[6].privateKey,
      traceTypes: ['alphabet' as const], gameWindowMs: 3_600_000, pollMs: 500, allowlist: ['0x000000000000000000000000000000000000dEaD' as Address], additionalClaimants: [],
      selectiveClaimResolution: false, metrics: { enabled: false, addr: '127.0.0.1', port: 0 },
    }
    const own = new Challenger(cfg, logger('challenger-test'), challengerMetrics(CHALLENGER_VERSION))
    try {
      const { first, held, next } = await roundsUnderHeldL1(devnet, l1, () => own.tick())
      expect(first).toContain('eth_call') // gameCount
      expect(held).toEqual(['eth_getBlockByNumber', 'eth_getBlockByNumber'])
      expect(next).toContain('eth_call')
    } finally {
      await l1.close()
    }
  })

  test('behavior: a wrong output root ends CHALLENGER_WINS and the challenger gains the bond', async () => {
    const block = await safeBlockAfterAnchor(2)
    const before = await devnet.l1.getBalance({ address: challenger() })
    const { game } = await propose(devnet.keys.accounts[9].privateKey, keccak256(toHex('not the output root')), block)
    await waitFor('the challenger attacks the root', async () => (await claims(game)).length > 1, 30_000)
    const [, attack] = await claims(game)
    expect(attack[2]).toBe(challenger())
    expect(attack[4]).toBe(await honestRoot(block)) // position 2 commits to anchor + 2, the proposed block
    await waitFor('CHALLENGER_WINS', async () => (await status(game)) === CHALLENGER_WINS, 60_000, 500)
    await waitFor('the credit claimed', async () => (await devnet.l1.readContract({ address: game, abi: gameAbi, functionName: 'credit', args: [challenger()] })) === 0n, 30_000, 500)
    expect(await devnet.l1.getBalance({ address: challenger() })).toBeGreaterThan(before)
  }, 120_000)

  test('behavior: an honest proposal is not attacked and resolves DEFENDER_WINS (the anchor moves)', async () => {
    const block = await safeBlockAfterAnchor(3)
    const { game } = await propose(devnet.keys.proposer.privateKey, await honestRoot(block), block)
    await waitFor('DEFENDER_WINS', async () => (await status(game)) === DEFENDER_WINS, 60_000, 500)
    expect(await claims(game)).toHaveLength(1)
    expect(await anchorBlock()).toBe(block)
    const s = await rpc<{ games: Array<{ address: Address; agreeWithRoot?: boolean }> }>(devnet.endpoints.challenger.metrics, 'challenger_status')
    expect(s.games.find((g) => g.address === game)?.agreeWithRoot).toBe(true)
  }, 120_000)

  test('behavior: against an opponent answering with junk, the challenger bisects down to an AlphabetVM step and wins', async () => {
    const block = await safeBlockAfterAnchor(3)
    const opponent = privateKeyToAccount(devnet.keys.accounts[8].privateKey)
    const wallet = createWalletClient({ account: opponent, transport: http(devnet.endpoints.l1.rpc) })
    const { game } = await propose(devnet.keys.accounts[8].privateKey, keccak256(toHex('junk root')), block)
    const maxDepth = topology.settlement.splitDepth + 4
    let moves = 0
    // The opponent attacks every unanswered challenger claim with junk until the max depth.
    await waitFor('the challenger steps against the junk at the max depth', async () => {
      const all = await claims(game)
      const deepest = all[all.length - 1]
      if (depth(deepest[5]) === maxDepth) return deepest[1] === challenger()
      if (deepest[2] !== challenger()) return false
      const position = move(deepest[5], true)
      const value = await devnet.l1.readContract({ address: game, abi: gameAbi, functionName: 'getRequiredBond', args: [position] })
      const hash = await wallet.writeContract({ address: game, abi: gameAbi, functionName: 'move', args: [deepest[4], BigInt(all.length - 1), keccak256(toHex(`junk ${all.length}`)), true], value, chain: null })
      await devnet.l1.waitForTransactionReceipt({ hash })
      moves++
      return false
    }, 90_000, 300)
    expect(moves).toBe(maxDepth / 2)
    await waitFor('CHALLENGER_WINS', async () => (await status(game)) === CHALLENGER_WINS, 90_000, 500)
    const all = await claims(game)
    expect(all.filter((c) => c[2] === challenger()).length).toBe(maxDepth / 2)
    const s = await rpc<{ steps: number; failedTxs: number }>(devnet.endpoints.challenger.metrics, 'challenger_status')
    expect(s.steps).toBe(1)
  }, 240_000)

  test('behavior: op-challenger\'s Prometheus metrics count the moves and steps above and track the games by status', async () => {
    const url = devnet.endpoints.challenger.metrics
    const s = await rpc<{ moves: number; steps: number }>(url, 'challenger_status')
    expect(await metric(url, `op_challenger_info{version="${CHALLENGER_VERSION}"}`)).toBe(1)
    expect(await metric(url, 'op_challenger_up')).toBe(1)
    expect(await metric(url, 'op_challenger_moves')).toBe(s.moves)
    expect(s.moves).toBeGreaterThanOrEqual(1 + (topology.settlement.splitDepth + 4) / 2)
    expect(await metric(url, 'op_challenger_steps')).toBe(1)
    // The gauge follows the challenger's next round after a game resolves.
    await waitFor('two games won by the challenger, one by the defender', async () =>
      (await metric(url, 'op_challenger_tracked_games{status="challenger_won"}')) >= 2 && (await metric(url, 'op_challenger_tracked_games{status="defender_won"}')) >= 1, 10_000, 250)
    expect(await metric(url, 'op_challenger_txmgr_confirm_total{status="success"}')).toBeGreaterThan(s.moves)
  }, 30_000)

  test('behavior: the lifecycle faults act on the challenger: crashed, it leaves a wrong root alone; started again, it attacks it', async () => {
    const events: Array<Omit<HistoryEvent, 't'>> = []
    const ctx: FaultContext = { devnet, state: newFaultState(), record: (e) => void events.push(e) }
    await applyFault(ctx, { name: 'crash', args: { service: 'challenger' } })
    await expect(fetch(`${devnet.endpoints.challenger.metrics}/healthz`)).rejects.toThrow()
    const block = await safeBlockAfterAnchor(1)
    const { game } = await propose(devnet.keys.accounts[9].privateKey, keccak256(toHex('wrong while crashed')), block)
    // A sixth of the root's clock in chain time: long enough for a live challenger to attack, with time left to.
    await new Promise((resolve) => setTimeout(resolve, wallDuration(devnet.clock, 4000)))
    expect(await claims(game)).toHaveLength(1)
    await applyFault(ctx, { name: 'start', args: { service: 'challenger', fresh: false } })
    await waitFor('the restarted challenger attacks the root', async () => (await claims(game)).length > 1, 30_000, 250)
    expect((await claims(game))[1][2]).toBe(challenger())
    expect(events.map((e) => [e.kind, e.name])).toEqual([['fault-start', 'crash'], ['fault-end', 'crash']])
  }, 90_000)
})
