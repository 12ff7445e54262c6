/**
 * Conductor figures (issue 9): leadership transfer to a named server, and failover after SIGKILL of
 * the leader's process group (conductor + its etcd member), on a cluster of 3 lite conductors with
 * rollup-node TEST DOUBLES (test/conductorCluster.ts; real rollup nodes once they integrate the
 * conductor). "Sequencer started" is the new leader's `admin_startSequencer`; "next block" is the
 * first block the new sequencer commits. Failover is measured at steady state, 3 s after the cluster
 * formed (a fresh cluster still has etcd's raft leader on the conductor leader: about 1 s slower).
 */
import { conductorCall as call, startCluster, until, type Cluster, type ConductorProc } from '../test/conductorCluster.js'
import type { Figure } from './report.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function leader(cl: Cluster, except?: string): Promise<ConductorProc> {
  return until('one leader', async () => {
    const alive = cl.conductors.filter((c) => c.alive())
    const flags = await Promise.all(alive.map((c) => call<boolean>(c.rpc, 'conductor_leader')))
    const ls = alive.filter((_, i) => flags[i])
    return ls.length === 1 && ls[0]!.id !== except ? ls[0] : undefined
  })
}

async function afterLeaderChange(cl: Cluster, oldId: string, t0: number): Promise<[number, number, number]> {
  await leader(cl, oldId)
  const elected = (Date.now() - t0) / 1000
  await until('a new sequencer starts', async () => {
    const l = await leader(cl)
    return l.id !== oldId && l.double.active && l.double.callsOf('admin_startSequencer', t0).length > 0
  })
  const started = (Date.now() - t0) / 1000
  const head = cl.chain.head.number
  await until('a new block', async () => cl.chain.head.number > head)
  return [elected, started, (Date.now() - t0) / 1000]
}

export async function benchConductor(transfers = 6, failovers = 3): Promise<Figure[]> {
  const transfer: number[][] = [[], [], []]
  const cl = await startCluster(3)
  try {
    for (let i = 0; i < transfers; i++) {
      const from = await leader(cl)
      const to = cl.conductors[(cl.conductors.indexOf(from) + 1) % cl.conductors.length]!
      const t0 = Date.now()
      await call(from.rpc, 'conductor_transferLeaderToServer', [to.id, to.consensus])
      const r = await afterLeaderChange(cl, from.id, t0)
      r.forEach((v, k) => transfer[k]!.push(v))
    }
  } finally {
    await cl.stop()
  }
  const failover: number[][] = [[], [], []]
  for (let i = 0; i < failovers; i++) {
    const c = await startCluster(3)
    try {
      // Steady state: the etcd raft leader has been placed off the conductor leader (consensus.ts).
      await new Promise((r) => setTimeout(r, 3_000))
      const old = await leader(c)
      const t0 = Date.now()
      old.killGroup()
      const r = await afterLeaderChange(c, old.id, t0)
      r.forEach((v, k) => failover[k]!.push(v))
    } finally {
      await c.stop()
    }
  }
  const fig = (name: string, runs: number[], target?: number): Figure => ({
    name,
    value: median(runs),
    unit: 's',
    runs,
    ...(target === undefined ? {} : { target: `<= ${target} s`, ok: median(runs) <= target }),
  })
  return [
    fig('transfer to a named server: new leader', transfer[0]!),
    fig('transfer to a named server: new sequencer started', transfer[1]!),
    fig('transfer to a named server: next block committed', transfer[2]!, 2),
    fig('failover (leader process group SIGKILLed): new leader', failover[0]!),
    fig('failover: new sequencer started', failover[1]!),
    fig('failover: next block committed (test-double node, 0.5 s blocks)', failover[2]!, 3),
  ]
}
