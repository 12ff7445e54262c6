/**
 * Conductor figures in a full devnet (fixtures/ha.yaml on the process runtime: real rollup nodes, each
 * with its conductor and etcd member). Failover: the leader's rollup node SIGKILLed -> the first block
 * above the head it had, seen on the replica (target <= 3 s); the killed node is started again and
 * caught up before the next round. Transfer: `conductor_transferLeaderToServer` to the next node ->
 * the target node sequencing and its first block (target <= 2 s). Conductor failover: the leader's
 * conductor process group (conductor + its etcd member) SIGKILLed -> the first block above the head it
 * had, seen on the replica; the conductor is started again and resumed before the next round.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDevnet } from '../src/devnet/start.js'
import type { Devnet } from '../src/devnet/started.js'
import { conductorService } from '../src/plan/conductor.js'
import { loadTopology } from '../src/topology/parse.js'
import { rpc, syncStatus, waitFor } from '../test/helpers.js'
import type { Figure } from './report.js'

const NODES = ['seq-0', 'seq-1', 'seq-2']
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function leaderNode(devnet: Devnet, except?: string): Promise<string> {
  let found = ''
  await waitFor('one conductor leader', async () => {
    const alive = NODES.filter((n) => n !== except)
    const flags = await Promise.all(alive.map((n) => rpc<boolean>(devnet.endpoints[conductorService(n)]!.rpc!, 'conductor_leader').catch(() => false)))
    found = alive[flags.indexOf(true)] ?? ''
    return flags.filter(Boolean).length === 1
  }, 20_000)
  return found
}

const unsafe = async (devnet: Devnet, node: string) => (await syncStatus(devnet.endpoints[node]!.rollup!)).unsafe_l2.number

export async function benchConductorDevnet(failovers = 3, transfers = 6, conductorFailovers = 3): Promise<Figure[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-conductor-'))
  const topology = await loadTopology(new URL('../fixtures/ha.yaml', import.meta.url).pathname)
  topology.ports = 'auto'
  const devnet = await startDevnet({ topology, runtime: 'process', stateDir })
  const failover: number[] = []
  const transfer: number[] = []
  const conductorFailover: number[] = []
  try {
    for (let i = 0; i < transfers; i++) {
      const from = await leaderNode(devnet)
      const to = NODES[(NODES.indexOf(from) + 1) % NODES.length]!
      const addr = (await rpc<{ servers: Array<{ id: string; addr: string }> }>(devnet.endpoints[conductorService(from)]!.rpc!, 'conductor_clusterMembership')).servers.find((s) => s.id === to)!.addr
      const t0 = Date.now()
      await rpc(devnet.endpoints[conductorService(from)]!.rpc!, 'conductor_transferLeaderToServer', [to, addr])
      await waitFor(`${to} sequencing`, () => rpc<boolean>(devnet.endpoints[to]!.rollup!, 'admin_sequencerActive'), 10_000, 10)
      const head = await unsafe(devnet, to)
      await waitFor(`${to}'s first block`, async () => (await unsafe(devnet, to)) > head, 10_000, 10)
      transfer.push((Date.now() - t0) / 1000)
      await new Promise((r) => setTimeout(r, 2_000))
    }
    for (let i = 0; i < failovers; i++) {
      const old = await leaderNode(devnet)
      const head = await unsafe(devnet, 'replica-0')
      const t0 = Date.now()
      await devnet.service(old).kill('SIGKILL')
      await waitFor('a block above the killed leader\'s head', async () => (await unsafe(devnet, 'replica-0')) > head + 1, 20_000, 10)
      failover.push((Date.now() - t0) / 1000)
      await devnet.service(old).restart()
      await waitFor(`${old} caught up`, async () => (await unsafe(devnet, old)) >= (await unsafe(devnet, 'replica-0')) - 1, 60_000)
      await new Promise((r) => setTimeout(r, 3_000))
    }
    for (let i = 0; i < conductorFailovers; i++) {
      const old = await leaderNode(devnet)
      const head = await unsafe(devnet, 'replica-0')
      const t0 = Date.now()
      await devnet.service(conductorService(old)).kill('SIGKILL')
      await waitFor("a block above the killed conductor's head", async () => (await unsafe(devnet, 'replica-0')) > head + 1, 20_000, 10)
      conductorFailover.push((Date.now() - t0) / 1000)
      await devnet.service(conductorService(old)).restart()
      await rpc(devnet.endpoints[conductorService(old)]!.rpc!, 'conductor_resume')
      await new Promise((r) => setTimeout(r, 3_000))
    }
  } finally {
    await devnet.stop()
    rmSync(stateDir, { recursive: true, force: true })
  }
  const fig = (name: string, runs: number[], target: number): Figure => ({ name, value: median(runs), unit: 's', runs, target: `<= ${target} s`, ok: median(runs) <= target })
  return [
    fig('full devnet: transfer to the next node -> its first block', transfer, 2),
    fig('full devnet: leader node SIGKILLed -> next block on the replica', failover, 3),
    fig("full devnet: leader's conductor process group SIGKILLed -> next block on the replica", conductorFailover, 3),
  ]
}
