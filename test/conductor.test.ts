/**
 * Integration: the lite op-conductor's cluster behaviour on a real HA devnet (fixtures/ha.yaml, process
 * runtime): three sequencer-capable lite rollup nodes, each with its conductor and etcd member, and a
 * replica. Leadership, the proxied RPC, transfers, pause, members killed and started again, membership
 * changes (a member replaced the way an operator does it), loss of quorum with the leader override, and
 * conductor_stop. The tests run in order on one devnet; each leaves the cluster with one leader.
 * Timings are printed, never asserted (`npm run bench -- conductor-devnet` reports them).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { applyFault, newFaultState, type FaultContext } from '../src/faults/index.js'
import { ETCD_PID_FILE } from '../src/components/conductor/flags.js'
import { CONDUCTOR_STORAGE_DIR, conductorService } from '../src/plan/conductor.js'
import { loadTopology } from '../src/topology/parse.js'
import { etcdAvailable } from './conductorCluster.js'
import { isProcessAlive } from '../src/runtime/process/index.js'
import { rpc, syncStatus, waitFor } from './helpers.js'
import { requires } from './requires.js'

const NODES = ['seq-0', 'seq-1', 'seq-2']
type Membership = { servers: Array<{ id: string; addr: string; suffrage: number }>; version: number }

const envelope = (n: number) => ({ executionPayload: { blockNumber: `0x${n.toString(16)}`, blockHash: `0x${'ab'.repeat(32)}` } })
const portClosed = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url)
    const s = connect({ host: hostname, port: Number(port) })
    s.once('connect', () => (s.destroy(), resolve(false)))
    s.once('error', () => resolve(true))
  })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

requires('etcd and dist/', etcdAvailable() && existsSync(defaultLiteEntrypoint()), 'apt-get install -y etcd-server; npm run build')('lite op-conductor: a 3-server cluster of real rollup nodes', () => {
  const root = mkdtempSync(join(tmpdir(), 'op-devnet-conductor-cluster-'))
  let devnet: Devnet
  let ctx: FaultContext
  const conductor = (node: string) => devnet.endpoints[conductorService(node)]!.rpc!
  const rollup = (node: string) => devnet.endpoints[node]!.rollup!
  const sequencing = (node: string) => rpc<boolean>(rollup(node), 'admin_sequencerActive').catch(() => false)
  const head = async () => (await syncStatus(rollup('replica-0'))).unsafe_l2.number
  const membership = (node: string) => rpc<Membership>(conductor(node), 'conductor_clusterMembership')
  const addrOf = async (node: string, via: string) => (await membership(via)).servers.find((s) => s.id === node)!.addr
  /** The one conductor (among `among`) that says it leads, once exactly one does and it is not `except`. */
  const oneLeader = (among = NODES, except?: string) =>
    waitFor('exactly one leader', async () => {
      const flags = await Promise.all(among.map((n) => rpc<boolean>(conductor(n), 'conductor_leader').catch(() => false)))
      const leaders = among.filter((_, i) => flags[i])
      return leaders.length === 1 && leaders[0] !== except ? leaders[0] : undefined
    }, 30_000)
  /**
   * Waits until every server names the same leader: a server that rejoined follows the cluster. Not
   * necessarily the leader of before: on a loaded machine the health monitor may hand leadership on
   * meanwhile (CI runs waited 30 s in vain for a named one, twice).
   */
  const followsCluster = (node: string) =>
    waitFor(`${node} follows the cluster's leader`, async () => {
      const ids = await Promise.all(NODES.map(async (n) => (await rpc<{ id: string }>(conductor(n), 'conductor_leaderWithID')).id))
      return ids[0] && ids.every((id) => id === ids[0])
    }, 30_000)
  const chainAdvances = async (by: number) => {
    const before = await head()
    await waitFor(`the chain to advance ${by} blocks past ${before}`, async () => (await head()) >= before + by, 30_000)
  }
  /** Starts a killed conductor again (its storage kept) and resumes it: it comes back paused, as op-conductor with --paused. */
  const bringBack = async (node: string, fresh = false) => {
    await applyFault(ctx, { name: 'start', args: { service: conductorService(node), fresh } })
    expect(await rpc(conductor(node), 'conductor_paused')).toBe(true)
  }

  beforeAll(async () => {
    const topology = await loadTopology(new URL('../fixtures/ha.yaml', import.meta.url).pathname)
    devnet = await startDevnet({ topology, runtime: 'process', ports: 'auto', stateDir: join(root, 'ha') })
    ctx = { devnet, state: newFaultState(), record: () => {} }
  }, 240_000)
  afterAll(async () => {
    await devnet?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  test('default: one leader that every server agrees on, three voters, only the leader sequences', async () => {
    const leader = await oneLeader()
    const addr = await addrOf(leader, leader)
    for (const n of NODES) {
      expect(await rpc(conductor(n), 'conductor_leaderWithID')).toEqual({ id: leader, addr, suffrage: 0 })
      expect(await rpc(conductor(n), 'conductor_active')).toBe(true)
    }
    const m = await membership(NODES.find((n) => n !== leader)!)
    expect(m.servers.map((s) => [s.id, s.suffrage])).toEqual(NODES.map((n) => [n, 0]))
    expect(m.version).toBeGreaterThan(0)
    expect(await Promise.all(NODES.map(sequencing))).toEqual(NODES.map((n) => n === leader))
    const start = await head()
    await chainAdvances(2)
    const follower = NODES.find((n) => n !== leader)!
    const latest = await rpc(conductor(follower), 'conductor_latestUnsafePayload')
    expect(Number(latest.executionPayload.blockNumber)).toBeGreaterThanOrEqual(start + 1)
    await waitFor('every conductor reports a healthy sequencer', async () => (await Promise.all(NODES.map((n) => rpc<boolean>(conductor(n), 'conductor_sequencerHealthy')))).every(Boolean))
  })

  test('error: a follower refuses commits and proxied calls; the leader serves them', async () => {
    const leader = await oneLeader()
    const [a, b] = NODES.filter((n) => n !== leader) as [string, string]
    await expect(rpc(conductor(a), 'conductor_commitUnsafePayload', [envelope(1)])).rejects.toThrow('failed to apply payload envelope: node is not the leader')
    await expect(rpc(conductor(a), 'optimism_syncStatus')).rejects.toThrow('refusing to proxy request to non-leader sequencer')
    await expect(rpc(conductor(b), 'eth_getBlockByNumber', ['latest', false])).rejects.toThrow('refusing to proxy request to non-leader sequencer')
    expect((await rpc(conductor(leader), 'optimism_syncStatus')).unsafe_l2.number).toBeGreaterThan(0)
    expect(Number((await rpc(conductor(leader), 'eth_getBlockByNumber', ['latest', false])).number)).toBeGreaterThan(0)
    expect(await rpc(conductor(leader), 'admin_sequencerActive')).toBe(true)
  })

  test('behavior: transfer to a named server; the old leader stops its sequencer, the new one starts, the deposed leader cannot commit', async () => {
    const from = await oneLeader()
    const [to, other] = [NODES[(NODES.indexOf(from) + 1) % 3]!, NODES[(NODES.indexOf(from) + 2) % 3]!]
    const toAddr = await addrOf(to, from)
    await expect(rpc(conductor(other), 'conductor_transferLeaderToServer', [to, toAddr])).rejects.toThrow('node is not the leader')
    expect(await rpc(conductor(other), 'conductor_transferLeader')).toBe(null)
    const t0 = Date.now()
    await rpc(conductor(from), 'conductor_transferLeaderToServer', [to, toAddr])
    expect(await oneLeader(NODES, from)).toBe(to)
    const elected = Date.now() - t0
    await waitFor(`${to} sequencing`, () => sequencing(to), 20_000)
    const started = Date.now() - t0
    await waitFor(`${from} no longer sequencing`, async () => !(await sequencing(from)), 20_000)
    console.info(`conductor transfer to a named server: leader after ${elected} ms, sequencer started after ${started} ms`)
    await expect(rpc(conductor(from), 'conductor_commitUnsafePayload', [envelope((await head()) + 1)])).rejects.toThrow('node is not the leader')
    await chainAdvances(2)
  })

  test('behavior: a paused conductor made leader does not start its sequencer until resumed', async () => {
    const from = await oneLeader()
    const paused = NODES.find((n) => n !== from)!
    await rpc(conductor(paused), 'conductor_pause')
    try {
      expect(await rpc(conductor(paused), 'conductor_paused')).toBe(true)
      expect(await rpc(conductor(paused), 'conductor_active')).toBe(false)
      await rpc(conductor(from), 'conductor_transferLeaderToServer', [paused, await addrOf(paused, from)])
      expect(await oneLeader(NODES, from)).toBe(paused)
      await sleep(1_500)
      expect(await sequencing(paused)).toBe(false)
    } finally {
      await rpc(conductor(paused), 'conductor_resume')
    }
    const resumedAt = new Date().toISOString()
    expect(await rpc(conductor(paused), 'conductor_active')).toBe(true)
    // Once resumed it starts its sequencer. Its health monitor may then hand leadership on at once (the chain
    // stalled meanwhile) and stop it again, sooner than a poll of admin_sequencerActive sees it (a loaded
    // run missed it once): its own log says it started.
    const startedSince = () => devnet.service(conductorService(paused)).logs(400).some((line) => line.includes('msg="starting sequencer"') && line.slice(2, 26) >= resumedAt)
    await waitFor(`${paused} starting its sequencer once resumed`, async () => startedSince() || (await sequencing(paused)), 20_000, 50)
    await oneLeader()
    await chainAdvances(2)
  })

  test('behavior: a follower whose conductor and etcd member are killed rejoins from its storage when started again', async () => {
    const leader = await oneLeader()
    const follower = NODES.find((n) => n !== leader)!
    await applyFault(ctx, { name: 'crash', args: { service: conductorService(follower) } })
    await waitFor("the killed follower's etcd member is gone", () => portClosed(devnet.service(conductorService(follower)).endpoint('etcd')))
    await chainAdvances(2) // two of three voters keep the quorum
    await bringBack(follower)
    await followsCluster(follower)
    const now = await head()
    await waitFor('and the latest unsafe payload', async () => Number((await rpc(conductor(follower), 'conductor_latestUnsafePayload'))?.executionPayload.blockNumber) >= now - 1, 30_000)
    await rpc(conductor(follower), 'conductor_resume')
    expect((await membership(leader)).servers).toHaveLength(3)
  })

  test('error: membership changes are versioned and leader-only; a member is replaced as an operator does it (remove, wipe, add as nonvoter, promote)', async () => {
    const leader = await oneLeader()
    const [follower, replaced] = NODES.filter((n) => n !== leader) as [string, string]
    const addr = await addrOf(replaced, leader)
    const v0 = (await membership(leader)).version
    await expect(rpc(conductor(follower), 'conductor_removeServer', [replaced, v0])).rejects.toThrow('node is not the leader')
    await expect(rpc(conductor(leader), 'conductor_removeServer', [replaced, v0 - 1])).rejects.toThrow(`configuration changed since ${v0 - 1} (latest is ${v0})`)
    await expect(rpc(conductor(leader), 'conductor_addServerAsVoter', ['seq-9', '127.0.0.1:1', 0])).rejects.toThrow('dial tcp 127.0.0.1:1: connect: connection refused')
    await rpc(conductor(leader), 'conductor_removeServer', [replaced, v0])
    const m1 = await membership(follower)
    expect(m1.servers.map((s) => s.id)).toEqual(NODES.filter((n) => n !== replaced))
    expect(m1.version).toBeGreaterThan(v0)
    await waitFor("the removed server's etcd member stops", () => portClosed(devnet.service(conductorService(replaced)).endpoint('etcd')), 30_000)
    // Replace it: its conductor is killed, started again with its storage wiped (it waits to be added), and added back.
    await applyFault(ctx, { name: 'crash', args: { service: conductorService(replaced) } })
    await bringBack(replaced, true)
    // Leadership may have moved between the two remaining servers meanwhile (the health monitor's progress rule
    // hands it on when blocks come slowly, as on a loaded CI machine): ask who leads now.
    const lead = await oneLeader(NODES.filter((n) => n !== replaced))
    const other = NODES.find((n) => n !== lead && n !== replaced)!
    await expect(rpc(conductor(other), 'conductor_addServerAsNonvoter', [replaced, addr, m1.version])).rejects.toThrow('node is not the leader')
    await expect(rpc(conductor(lead), 'conductor_addServerAsNonvoter', [replaced, addr, v0])).rejects.toThrow(`configuration changed since ${v0} (latest is ${m1.version})`)
    await rpc(conductor(lead), 'conductor_addServerAsNonvoter', [replaced, addr, m1.version])
    const m2 = await membership(other)
    expect(m2.servers.find((s) => s.id === replaced)).toEqual({ id: replaced, addr, suffrage: 1 })
    await waitFor('the nonvoter follows the leader', async () => (await rpc(conductor(replaced), 'conductor_leaderWithID')).id === lead, 30_000)
    expect(await rpc(conductor(replaced), 'conductor_leader')).toBe(false)
    await rpc(conductor(lead), 'conductor_addServerAsVoter', [replaced, addr, m2.version])
    const m3 = await membership(lead)
    expect(m3.servers.find((s) => s.id === replaced)!.suffrage).toBe(0)
    await rpc(conductor(replaced), 'conductor_resume')
    await chainAdvances(2)
  })

  test("behavior: SIGKILL of the leader conductor's process group (conductor + etcd) elects a new leader, which sequences; the old node forks nothing", async () => {
    const old = await oneLeader()
    const t0 = Date.now()
    await applyFault(ctx, { name: 'crash', args: { service: conductorService(old) } })
    const survivors = NODES.filter((n) => n !== old)
    await oneLeader(survivors)
    const elected = Date.now() - t0
    // Not necessarily the first new leader: a failover slower than two block times trips the health
    // monitor's progress rule, which may hand leadership on once more (as op-conductor does).
    const next = await waitFor('a new leader runs its sequencer', async () => {
      const l = await oneLeader(survivors)
      return (await sequencing(l)) && l
    }, 30_000)
    const started = Date.now() - t0
    await chainAdvances(1)
    console.info(`conductor failover (leader's process group SIGKILLed): leader after ${elected} ms, ${next} sequencing after ${started} ms, next block after ${Date.now() - t0} ms`)
    // Its node still says its sequencer is active (as op-node does), but it cannot commit a block through a
    // dead conductor, so it publishes none: whatever head it has is on the new leader's chain (no equivocation).
    await chainAdvances(2)
    const own = (await syncStatus(rollup(old))).unsafe_l2
    const there = await rpc<{ hash: string } | null>(devnet.endpoints['replica-0']!.el!, 'eth_getBlockByNumber', [`0x${own.number.toString(16)}`, false])
    expect(there?.hash).toBe(own.hash)
    await waitFor("the killed server's etcd member is gone", () => portClosed(devnet.service(conductorService(old)).endpoint('etcd')))
    await bringBack(old)
    await rpc(conductor(old), 'conductor_resume')
    await followsCluster(old) // not necessarily `next`
  })

  test('behavior: with 2 of 3 conductors down there is no leader and no commit, until the survivor is overridden', async () => {
    const leader = await oneLeader()
    const [killed, survivor] = NODES.filter((n) => n !== leader) as [string, string]
    await applyFault(ctx, { name: 'crash', args: { service: conductorService(killed) } })
    // The leader's conductor process alone: its etcd member must die with it (parent-death signal).
    process.kill(Number(devnet.service(conductorService(leader)).id), 'SIGKILL')
    await waitFor("the killed conductor's etcd member is gone", () => portClosed(devnet.service(conductorService(leader)).endpoint('etcd')), 30_000)
    await waitFor('no leader', async () => !(await rpc(conductor(survivor), 'conductor_leader')), 30_000)
    for (let i = 0; i < 3; i++) {
      await sleep(1_000)
      expect(await rpc(conductor(survivor), 'conductor_leader')).toBe(false)
    }
    expect(await sequencing(survivor)).toBe(false)
    await expect(rpc(conductor(survivor), 'conductor_commitUnsafePayload', [envelope((await head()) + 1)])).rejects.toThrow()
    await expect(rpc(conductor(survivor), 'optimism_syncStatus')).rejects.toThrow('refusing to proxy request to non-leader sequencer')
    await rpc(conductor(survivor), 'conductor_overrideLeader', [true])
    expect(await rpc(conductor(survivor), 'conductor_leaderOverridden')).toBe(true)
    expect(await rpc(conductor(survivor), 'conductor_leader')).toBe(true)
    expect(await rpc(conductor(survivor), 'conductor_leaderWithID')).toEqual({ id: 'N/A (Leader overridden)', addr: 'N/A', suffrage: 0 })
    expect((await rpc(conductor(survivor), 'optimism_syncStatus')).unsafe_l2.number).toBeGreaterThan(0)
    await rpc(conductor(survivor), 'conductor_overrideLeader', [false])
    expect(await rpc(conductor(survivor), 'conductor_leader')).toBe(false)
    for (const n of [killed, leader]) {
      await bringBack(n)
      await rpc(conductor(n), 'conductor_resume')
    }
    await oneLeader()
  })

  test('behavior: conductor_stop leaves the cluster for good', async () => {
    const leader = await oneLeader()
    const c = NODES.find((n) => n !== leader)!
    await rpc(conductor(c), 'conductor_stop')
    expect(await rpc(conductor(c), 'conductor_stopped')).toBe(true)
    expect(await rpc(conductor(c), 'conductor_active')).toBe(false)
    // The member's process (the pid the conductor wrote) exits. Not its port: in CI the pid had exited and the
    // port was still open 30 s later, taken by a process of another suite (ports are free numbers, reused).
    const service = devnet.service(conductorService(c))
    const pid = Number(readFileSync(join(dirname(service.logFile), CONDUCTOR_STORAGE_DIR, ETCD_PID_FILE), 'utf8').trim())
    await waitFor(`the stopped conductor's etcd member (pid ${pid}) has exited`, async () => !isProcessAlive(pid))
  })
})
