/**
 * Integration: 3 lite conductors, each its own process group with its own etcd member (real etcd,
 * real processes, loopback, free ports). The rollup nodes are TEST DOUBLES (test/conductorCluster.ts:
 * minimal real JSON-RPC servers recording admin_startSequencer / admin_stopSequencer and serving
 * optimism_syncStatus), acceptable here ONLY until the lite rollup node's conductor integration lands
 * next session. Timings are printed, never asserted (bench/conductor.ts reports them).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { requires } from './requires.js'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { conductorCall as call, etcdAvailable, startCluster, until, type Cluster, type ConductorProc } from './conductorCluster.js'

const envelope = (n: number) => ({ executionPayload: { blockNumber: `0x${n.toString(16)}`, blockHash: `0x${'ab'.repeat(32)}` } })
const portClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => (s.destroy(), resolve(false)))
    s.once('error', () => resolve(true))
  })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

requires('etcd and dist/', etcdAvailable() && existsSync(new URL('../dist/components/main.js', import.meta.url)), 'apt-get install -y etcd-server; npm run build')('lite op-conductor: a 3-server cluster on etcd', () => {
  let cl: Cluster
  const byId = (id: string) => cl.conductors.find((c) => c.id === id)!
  const live = () => cl.conductors.filter((c) => c.alive() && c.id !== 'seq-3')
  const leaders = async () => (await Promise.all(live().map(async (c) => ((await call<boolean>(c.rpc, 'conductor_leader')) ? c : undefined)))).filter((c): c is ConductorProc => !!c)
  const oneLeader = (except?: string) => until('exactly one leader', async () => {
    const l = await leaders()
    return l.length === 1 && l[0]!.id !== except ? l[0] : undefined
  })

  beforeAll(async () => {
    cl = await startCluster(3)
  }, 120_000)
  afterAll(async () => {
    await cl?.stop()
  })

  it('default: one leader that all servers agree on, three voters, the leader sequences', async () => {
    const leader = await oneLeader()
    expect(leader.id).toBe('seq-0')
    for (const c of cl.conductors) {
      expect(await call(c.rpc, 'conductor_leaderWithID')).toEqual({ id: 'seq-0', addr: leader.consensus, suffrage: 0 })
      expect(await call(c.rpc, 'conductor_active')).toBe(true)
    }
    const m = await call<{ servers: unknown[]; version: number }>(byId('seq-1').rpc, 'conductor_clusterMembership')
    expect(m.servers).toEqual(cl.conductors.map((c) => ({ id: c.id, addr: c.consensus, suffrage: 0 })))
    expect(m.version).toBeGreaterThan(0)
    const start = cl.chain.head.number
    await until('the chain advances', async () => cl.chain.head.number >= start + 2)
    const latest = await call(byId('seq-2').rpc, 'conductor_latestUnsafePayload')
    expect(Number(latest.executionPayload.blockNumber)).toBeGreaterThanOrEqual(start + 1)
    expect(byId('seq-0').double.active && !byId('seq-1').double.active && !byId('seq-2').double.active).toBe(true)
    await until('all report healthy', async () => (await Promise.all(cl.conductors.map((c) => call(c.rpc, 'conductor_sequencerHealthy')))).every(Boolean))
  })

  it('error: a follower refuses commits and proxied calls; the leader serves them', async () => {
    await expect(call(byId('seq-1').rpc, 'conductor_commitUnsafePayload', [envelope(1)])).rejects.toThrow('failed to apply payload envelope: node is not the leader')
    await expect(call(byId('seq-1').rpc, 'optimism_syncStatus')).rejects.toThrow('refusing to proxy request to non-leader sequencer')
    await expect(call(byId('seq-2').rpc, 'eth_getBlockByNumber', ['latest', false])).rejects.toThrow('refusing to proxy request to non-leader sequencer')
    expect((await call(byId('seq-0').rpc, 'optimism_syncStatus')).unsafe_l2.number).toBeGreaterThan(0)
    expect(await call(byId('seq-0').rpc, 'admin_sequencerActive')).toBe(true)
  })

  it('behavior: transfer to a named server; the old leader stops, the new one starts, and the deposed leader cannot commit', async () => {
    await expect(call(byId('seq-1').rpc, 'conductor_transferLeaderToServer', ['seq-2', byId('seq-2').consensus])).rejects.toThrow('node is not the leader')
    expect(await call(byId('seq-1').rpc, 'conductor_transferLeader')).toBe(null)
    const t0 = Date.now()
    await call(byId('seq-0').rpc, 'conductor_transferLeaderToServer', ['seq-2', byId('seq-2').consensus])
    const leader = await oneLeader('seq-0')
    const elected = Date.now() - t0
    expect(leader.id).toBe('seq-2')
    await until('seq-2 starts its sequencer', async () => byId('seq-2').double.callsOf('admin_startSequencer', t0).length > 0 && byId('seq-2').double.active)
    const started = Date.now() - t0
    await until('seq-0 stops its sequencer', async () => !byId('seq-0').double.active)
    console.log(`conductor transfer to a named server: leader after ${elected} ms, sequencer started after ${started} ms`)
    await expect(call(byId('seq-0').rpc, 'conductor_commitUnsafePayload', [envelope(cl.chain.head.number + 1)])).rejects.toThrow('node is not the leader')
    const before = cl.chain.head.number
    await until('the new leader extends the chain', async () => cl.chain.head.number >= before + 2)
  })

  it('behavior: a paused conductor keeps its leadership duties on hold until resumed', async () => {
    const seq1 = byId('seq-1')
    await call(seq1.rpc, 'conductor_pause')
    expect(await call(seq1.rpc, 'conductor_paused')).toBe(true)
    expect(await call(seq1.rpc, 'conductor_active')).toBe(false)
    const t0 = Date.now()
    await call(byId('seq-2').rpc, 'conductor_transferLeaderToServer', ['seq-1', seq1.consensus])
    expect((await oneLeader('seq-2')).id).toBe('seq-1')
    await sleep(1_500)
    expect(seq1.double.callsOf('admin_startSequencer', t0)).toEqual([])
    await call(seq1.rpc, 'conductor_resume')
    expect(await call(seq1.rpc, 'conductor_active')).toBe(true)
    await until('seq-1 starts its sequencer once resumed', async () => seq1.double.active)
    const before = cl.chain.head.number
    await until('the chain advances again', async () => cl.chain.head.number >= before + 1)
  })

  it('behavior: a follower killed and started again rejoins from its storage', async () => {
    const leader = await oneLeader()
    const follower = live().find((c) => c.id !== leader.id)!
    follower.killGroup()
    await until("the killed follower's etcd member is gone", () => portClosed(follower.clientPort))
    await follower.restart()
    await until('the restarted follower sees the leader', async () => (await call(follower.rpc, 'conductor_leaderWithID')).id === leader.id)
    await until('and the latest unsafe payload', async () => Number((await call(follower.rpc, 'conductor_latestUnsafePayload'))?.executionPayload.blockNumber) >= cl.chain.head.number - 1)
    expect(await call(follower.rpc, 'conductor_paused')).toBe(true) // started with --paused, as op-conductor
    await call(follower.rpc, 'conductor_resume')
    expect((await call<{ servers: unknown[] }>(leader.rpc, 'conductor_clusterMembership')).servers).toHaveLength(3)
  })

  it('error: membership changes are versioned and leader-only', async () => {
    const leader = await oneLeader()
    const follower = live().find((c) => c.id !== leader.id)!
    const extra = await cl.spawnConductor('seq-3')
    const v0 = (await call<{ version: number }>(leader.rpc, 'conductor_clusterMembership')).version
    await expect(call(follower.rpc, 'conductor_addServerAsNonvoter', ['seq-3', extra.consensus, 0])).rejects.toThrow('node is not the leader')
    await expect(call(leader.rpc, 'conductor_addServerAsNonvoter', ['seq-3', extra.consensus, v0 - 1])).rejects.toThrow(`configuration changed since ${v0 - 1} (latest is ${v0})`)
    await call(leader.rpc, 'conductor_addServerAsNonvoter', ['seq-3', extra.consensus, v0])
    const m1 = await call<{ servers: Array<{ id: string; suffrage: number }>; version: number }>(follower.rpc, 'conductor_clusterMembership')
    expect(m1.servers.find((s) => s.id === 'seq-3')).toEqual({ id: 'seq-3', addr: extra.consensus, suffrage: 1 })
    expect(m1.version).toBeGreaterThan(v0)
    await until('the nonvoter follows the leader', async () => (await call(extra.rpc, 'conductor_leaderWithID')).id === leader.id)
    expect(await call(extra.rpc, 'conductor_leader')).toBe(false)
    await expect(call(follower.rpc, 'conductor_removeServer', ['seq-3', m1.version])).rejects.toThrow('node is not the leader')
    await expect(call(leader.rpc, 'conductor_removeServer', ['seq-3', v0])).rejects.toThrow(`configuration changed since ${v0} (latest is ${m1.version})`)
    await call(leader.rpc, 'conductor_removeServer', ['seq-3', m1.version])
    const m2 = await call<{ servers: Array<{ id: string }> }>(leader.rpc, 'conductor_clusterMembership')
    expect(m2.servers.map((s) => s.id)).toEqual(['seq-0', 'seq-1', 'seq-2'])
    await until("the removed server's etcd member stops", () => portClosed(extra.clientPort))
    extra.killGroup()
    await expect(call(leader.rpc, 'conductor_addServerAsVoter', ['seq-9', '127.0.0.1:1', 0])).rejects.toThrow('dial tcp 127.0.0.1:1: connect: connection refused')
  })

  it("behavior: SIGKILL of the leader's process group elects a new leader, which sequences", async () => {
    const old = await oneLeader()
    const t0 = Date.now()
    old.killGroup()
    await oneLeader(old.id)
    const elected = Date.now() - t0
    // Not necessarily the first new leader: a failover slower than two block times trips the health
    // monitor's progress rule, which may hand leadership on once more (as op-conductor does).
    await until('a new leader runs its sequencer', async () => {
      const l = (await leaders())[0]
      return l && l.id !== old.id && l.double.active && l.double.callsOf('admin_startSequencer', t0).length > 0
    })
    const started = Date.now() - t0
    const before = cl.chain.head.number
    await until('the chain advances', async () => cl.chain.head.number > before)
    console.log(`conductor failover (leader's process group SIGKILLed): leader after ${elected} ms, sequencer started after ${started} ms, next block after ${Date.now() - t0} ms`)
    await until("the killed server's etcd member is gone", () => portClosed(old.clientPort))
  })

  it('behavior: with 2 of 3 members down there is no leader and no commit, until the survivor is overridden', async () => {
    const leader = await oneLeader()
    const survivor = live().find((c) => c.id !== leader.id)!
    leader.killConductorOnly() // its etcd must die with it (parent-death signal)
    await until("the killed conductor's etcd member is gone", () => portClosed(leader.clientPort))
    await until('no leader', async () => !(await call(survivor.rpc, 'conductor_leader')))
    for (let i = 0; i < 3; i++) {
      await sleep(1_000)
      expect(await call(survivor.rpc, 'conductor_leader')).toBe(false)
    }
    await until('the survivor stops sequencing', async () => !survivor.double.active)
    await expect(call(survivor.rpc, 'conductor_commitUnsafePayload', [envelope(cl.chain.head.number + 1)])).rejects.toThrow()
    await expect(call(survivor.rpc, 'optimism_syncStatus')).rejects.toThrow('refusing to proxy request to non-leader sequencer')
    await call(survivor.rpc, 'conductor_overrideLeader', [true])
    expect(await call(survivor.rpc, 'conductor_leaderOverridden')).toBe(true)
    expect(await call(survivor.rpc, 'conductor_leader')).toBe(true)
    expect(await call(survivor.rpc, 'conductor_leaderWithID')).toEqual({ id: 'N/A (Leader overridden)', addr: 'N/A', suffrage: 0 })
    expect((await call(survivor.rpc, 'optimism_syncStatus')).unsafe_l2.number).toBeGreaterThan(0)
    await call(survivor.rpc, 'conductor_overrideLeader', [false])
    expect(await call(survivor.rpc, 'conductor_leader')).toBe(false)
  })

  it('behavior: conductor_stop leaves the cluster for good', async () => {
    const c = live()[0]!
    await call(c.rpc, 'conductor_stop')
    expect(await call(c.rpc, 'conductor_stopped')).toBe(true)
    expect(await call(c.rpc, 'conductor_active')).toBe(false)
    await until("the stopped conductor's etcd member is gone", () => portClosed(c.clientPort))
  })
})
