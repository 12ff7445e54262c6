/**
 * The conductor wired into a real HA devnet (fixtures/ha.yaml on each test runtime: lite rollup nodes,
 * each sequencer-capable one with its conductor and etcd member): the cluster formed at start, op-node's
 * conductor checks (`admin_conductorEnabled`, `admin_startSequencer` refused on a follower), replicas
 * forwarding transactions to whichever node sequences, before and after a leadership transfer,
 * `devnet status` showing each conductor's state, etcdPartition cutting the leader off, and the proposer
 * following the active sequencer's rollup node across a crash of the sequencing node.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { applyFault, currentLeader, newFaultState, type FaultContext } from '../src/faults/index.js'
import type { HistoryEvent } from '../src/devnet/history.js'
import { conductorService } from '../src/plan/conductor.js'
import { loadTopology } from '../src/topology/parse.js'
import { readGames } from '../src/devnet/games.js'
import { etcdAvailable } from './conductorCluster.js'
import { rpc, syncStatus, testRuntimes, waitFor, withServiceLogs } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-conductor-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const NODES = ['seq-0', 'seq-1', 'seq-2']

for (const runtime of testRuntimes()) requires('etcd and dist/', etcdAvailable() && existsSync(defaultLiteEntrypoint()), 'apt-get install -y etcd-server; npm run build')(`conductors in a devnet (${runtime})`, () => {
  let devnet: Devnet
  const conductor = (node: string) => devnet.endpoints[conductorService(node)]!.rpc!
  const leader = async () => {
    const flags = await Promise.all(NODES.map((n) => rpc<boolean>(conductor(n), 'conductor_leader')))
    return flags.filter(Boolean).length === 1 ? NODES[flags.indexOf(true)] : undefined
  }

  beforeAll(async () => {
    const topology = await loadTopology(new URL('../fixtures/ha.yaml', import.meta.url).pathname)
    devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir: join(root, `ha-${runtime}`) })
  }, 240_000)
  afterAll(async () => {
    await devnet?.stop()
  })

  test('default: the cluster is formed at start; status shows one leader, every conductor active and healthy', async () => {
    const status = await devnet.status()
    const conductors = status.services.filter((s) => s.role === 'conductor')
    expect(conductors.map((s) => s.name)).toEqual(NODES.map(conductorService))
    expect(conductors.filter((s) => s.conductor!.leader)).toHaveLength(1)
    for (const s of conductors) expect(s.conductor).toMatchObject({ active: true, paused: false })
    const members = await rpc<{ servers: Array<{ id: string; suffrage: number }> }>(conductor('seq-0'), 'conductor_clusterMembership')
    expect(members.servers.map((s) => [s.id, s.suffrage])).toEqual(NODES.map((n) => [n, 0]))
    for (const n of NODES) expect(await rpc(devnet.endpoints[n]!.rollup!, 'admin_conductorEnabled')).toBe(true)
    expect(await rpc(devnet.endpoints['replica-0']!.rollup!, 'admin_conductorEnabled')).toBe(false)
  })

  test('error: admin_startSequencer on a follower asks its conductor and is refused', async () => {
    const lead = await waitFor('one leader', leader)
    const follower = NODES.find((n) => n !== lead)!
    const head = await syncStatus(devnet.endpoints[follower]!.rollup!)
    await expect(rpc(devnet.endpoints[follower]!.rollup!, 'admin_startSequencer', [head.unsafe_l2.hash])).rejects.toThrow('sequencer is not the leader, aborting')
  })

  test('behavior: the replica forwards transactions to the active sequencer, also after a transfer', async () => {
    const account = privateKeyToAccount(devnet.keys.accounts[7].privateKey)
    const send = async (nonce: number, when: string) => {
      const client = devnet.l2('replica-0')
      const raw = await account.signTransaction({ chainId: devnet.topology.l2.chainId, type: 'eip1559', to: account.address, value: parseEther('0.001'), nonce, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n })
      const hash = await client.sendRawTransaction({ serializedTransaction: raw })
      return client.waitForTransactionReceipt({ hash, timeout: 30_000 }).catch(async (err: Error) => {
        // Once on docker in CI (not reproduced): say where the transaction is and who sequences.
        const where = await Promise.all(NODES.map(async (n) => ({
          node: n,
          active: await rpc(devnet.endpoints[n]!.rollup!, 'admin_sequencerActive').catch((e: Error) => e.message),
          hasTx: await rpc(devnet.endpoints[n]!.el!, 'eth_getTransactionByHash', [hash]).then(Boolean, (e: Error) => e.message),
        })))
        throw new Error(`${when}: ${err.message}; ${JSON.stringify(where)}`)
      })
    }
    const nonce = await devnet.l2('replica-0').getTransactionCount({ address: account.address })
    expect((await send(nonce, 'before the transfer')).status).toBe('success')
    const from = (await waitFor('one leader', leader))!
    const to = NODES[(NODES.indexOf(from) + 1) % 3]!
    const members = await rpc<{ servers: Array<{ id: string; addr: string }> }>(conductor(from), 'conductor_clusterMembership')
    const unsafe = async (n: string) => (await syncStatus(devnet.endpoints[n]!.rollup!)).unsafe_l2.number
    const active = () => Promise.all(NODES.map((n) => rpc<boolean>(devnet.endpoints[n]!.rollup!, 'admin_sequencerActive').catch(() => false)))
    // The transfer reserves the election for `to` for a while; a conductor that then finds its node unhealthy,
    // or cannot start it (op-conductor posts at most one missing block to a node behind the consensus head),
    // hands leadership on, so on a loaded machine the next sequencer may be the third node, or `from` again
    // (CI: a follower's gossip lagged). What the test needs is a transfer that took: a node other than `from`
    // sequencing. So the target is caught up when asked, and asked again if leadership came back.
    await withServiceLogs(devnet, [...NODES.map(conductorService), to], async () => {
      for (let attempt = 1; ; attempt++) {
        await waitFor(`${to} within a block of ${from}`, async () => (await unsafe(to)) >= (await unsafe(from)) - 1, 20_000)
        await rpc(conductor(from), 'conductor_transferLeaderToServer', [to, members.servers.find((s) => s.id === to)!.addr])
        const moved = await waitFor(`a node other than ${from} sequencing after the transfer to ${to}`, async () => (await active()).some((on, i) => on && NODES[i] !== from), 20_000).then(
          () => undefined,
          async (err: Error) => `${err.message}; sequencing: ${JSON.stringify(await active())}, leader: ${await leader().catch(() => undefined)}`,
        )
        if (moved === undefined) break
        if (attempt === 3 || (await waitFor('one leader', leader)) !== from) throw new Error(`attempt ${attempt}: ${moved}`)
        console.warn(`transfer attempt ${attempt} came back to ${from}: ${moved}`)
      }
    }, 10)
    expect((await send(nonce + 1, 'after the transfer')).status).toBe('success')
  }, 180_000)

  test('behavior: etcdPartition on the leader: another conductor leads and the chain goes on; heal brings it back', async () => {
    const events: Array<Omit<HistoryEvent, 't'>> = []
    const ctx: FaultContext = { devnet, state: newFaultState(), record: (e) => void events.push(e) }
    const cut = (await waitFor('one leader', leader))!
    await applyFault(ctx, { name: 'etcdPartition', args: { node: cut } })
    const next = await waitFor('a leader other than the cut one', async () => {
      const l = await currentLeader(devnet)
      return l && l !== cut ? l : undefined
    }, 20_000)
    const head = (await syncStatus(devnet.endpoints['replica-0']!.rollup!)).unsafe_l2.number
    await waitFor('the chain goes on', async () => (await syncStatus(devnet.endpoints['replica-0']!.rollup!)).unsafe_l2.number > head + 2, 20_000)
    expect(await rpc<boolean>(conductor(cut), 'conductor_leader')).toBe(false)
    await applyFault(ctx, { name: 'heal', args: {} })
    expect(events.map((e) => [e.kind, e.name])).toEqual([['fault-start', 'etcdPartition'], ['fault-end', 'etcdPartition']])
    await waitFor(`${cut}'s conductor follows ${next}`, async () => (await rpc<{ id: string }>(conductor(cut), 'conductor_leaderWithID')).id === (await currentLeader(devnet)), 20_000)
  })

  test('behavior: the proposer follows the active sequencer (every sequencer-capable rollup RPC in --rollup-rpc): games go on after the sequencing node crashes', async () => {
    const events: Array<Omit<HistoryEvent, 't'>> = []
    const ctx: FaultContext = { devnet, state: newFaultState(), record: (e) => void events.push(e) }
    const games = () => readGames(devnet.l1, devnet.contracts.l1.DisputeGameFactoryProxy)
    await waitFor('a first game', async () => (await games()).length > 0, 90_000, 500)
    const lead = (await waitFor('one leader', leader))!
    const before = (await games()).length
    await applyFault(ctx, { name: 'crash', args: { service: lead } })
    try {
      const next = await waitFor('another node sequencing', async () => {
        for (const n of NODES.filter((n) => n !== lead)) if (await rpc<boolean>(devnet.endpoints[n]!.rollup!, 'admin_sequencerActive').catch(() => false)) return n
        return undefined
      }, 30_000, 250)
      const safe = (await syncStatus(devnet.endpoints[next]!.rollup!)).safe_l2.number
      const game = await waitFor(`a game past block ${safe}, proposed from ${next}'s node`, async () => (await games()).slice(before).find((g) => g.l2Block > safe), 90_000, 500)
      const output = await rpc<{ outputRoot: string }>(devnet.endpoints[next]!.rollup!, 'optimism_outputAtBlock', [`0x${game.l2Block.toString(16)}`])
      expect(game.root).toBe(output.outputRoot)
    } finally {
      await applyFault(ctx, { name: 'start', args: { service: lead, fresh: false } })
    }
  }, 240_000)
})
