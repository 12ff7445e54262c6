/**
 * The conductor cluster of a devnet (`l2.conductor`): forming it after the services started, the way
 * op-e2e and op-conductor-ops bootstrap one (conductors start paused; the first bootstraps the consensus;
 * its sequencer is started at its head, so its first block is committed; the other servers are added as
 * voters; once every sequencer is healthy all conductors resume), and reading each conductor's state for
 * `devnet status`.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { DevnetError } from '../errors.js'
import { conductorServerId, conductorService } from '../plan/conductor.js'
import { planClock, unsafeLagMs } from './clock.js'
import type { DevnetPlan } from '../plan/types.js'
import { jsonRpc } from '../runtime/jsonrpc.js'
import { conductorNodes } from '../topology/conductor.js'
import type { Topology } from '../topology/types.js'

/** A conductor's view, as `devnet status` shows it. */
export interface ConductorState {
  leader: boolean
  active: boolean
  healthy: boolean
  paused: boolean
  /** The leader's server ID as this conductor knows it (empty: none). */
  leaderId: string
}

const ADVERTISED = '--consensus.advertised='

const call = <T>(url: string, method: string, params: unknown[] = [], timeoutMs = 3_000) => jsonRpc<T>(url, method, params, { timeoutMs })

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      throw new DevnetError(`conductor cluster: timed out after ${timeoutMs} ms waiting for ${what}`, {
        code: 'DEVNET_SERVICE_TIMEOUT',
        ...(last ? { details: (last as Error).message } : {}),
      })
    }
    await sleep(100)
  }
}

/**
 * Forms the conductor cluster of a started devnet (no-op without conductors).
 * @throws DevnetError (`DEVNET_SERVICE_TIMEOUT`) naming the step that did not complete.
 */
export async function formConductorCluster(topology: Topology, plan: DevnetPlan, endpoints: Record<string, Record<string, string>>, timeoutMs = 60_000): Promise<void> {
  const nodes = conductorNodes(topology)
  if (nodes.length === 0) return
  // Every conductor answers by now: its health monitor runs its first check one interval from here.
  const firstChecksBy = Date.now() + topology.l2.conductor.healthcheck.interval * 1000 + 200
  const rpc = (node: string) => endpoints[conductorService(node)]!.rpc!
  const [first, ...others] = nodes as [string, ...string[]]
  await until(`${conductorService(first)} to lead its one-member cluster`, () => call<boolean>(rpc(first), 'conductor_leader'), timeoutMs)
  // Until it sequences, the node derives deposit-only blocks from L1 once the sequencing window has
  // expired (a slow start on a loaded machine): the head may move between reading it and starting at it.
  await until(
    `${first} to start sequencing at its head`,
    async () => {
      const head = await call<{ unsafe_l2: { hash: string } }>(endpoints[first]!.rollup!, 'optimism_syncStatus')
      return call(endpoints[first]!.rollup!, 'admin_startSequencer', [head.unsafe_l2.hash]).then(
        () => true,
        (err: Error) => {
          // An earlier attempt that timed out on this side may have started it.
          if (/sequencer already running/.test(err.message)) return true
          throw err
        },
      )
    },
    timeoutMs,
  )
  await until(`${first}'s first block committed`, () => call(rpc(first), 'conductor_latestUnsafePayload'), timeoutMs)
  const addr = (node: string) => {
    const flag = plan.services.find((s) => s.name === conductorService(node))?.args.find((a) => a.startsWith(ADVERTISED))
    if (!flag) throw new DevnetError(`conductor cluster: the plan of ${conductorService(node)} has no ${ADVERTISED}`, { code: 'DEVNET_INTERNAL' })
    return flag.slice(ADVERTISED.length)
  }
  // A member add waits for the new member to start and catch up: slow on a loaded machine. etcd drops
  // proposals while its raft leader moves (the leader conductor moves it off itself once a voter
  // joined) or is re-elected (missed heartbeats under load): an add that failed is retried, and the
  // same server again is a no-op.
  // The add goes to whichever member leads at the time: leadership can move to a member that joined.
  const members = [first]
  for (const node of others) {
    await until(
      `the leading conductor of ${members.map(conductorService).join(', ')} to add ${node} as a voter`,
      async () => {
        const leads = await Promise.all(members.map((m) => call<boolean>(rpc(m), 'conductor_leader').catch(() => false)))
        const leader = members[leads.indexOf(true)]
        if (!leader) return false
        return call(rpc(leader), 'conductor_addServerAsVoter', [conductorServerId(node), addr(node), 0], 30_000).then(() => true)
      },
      timeoutMs,
    )
    members.push(node)
  }
  // The chain starts at genesis time: the first sequencer catches up with the devnet clock first, and
  // every sequencer must pass a health check before the conductors act. Until its monitor's first check a
  // conductor reports healthy; later, only a check that found its node healthy (a head within the unsafe
  // interval: caught up) does.
  const { unsafeInterval } = topology.l2.conductor.healthcheck
  const clock = planClock(plan)
  await until(`${first} to catch up with the devnet clock`, async () => (await unsafeLagMs(clock, endpoints[first]!.rollup!, 10_000)) <= Math.max(1, unsafeInterval - 1) * 1000, timeoutMs)
  await sleep(Math.max(0, firstChecksBy - Date.now()))
  await until(
    'every conductor to report a healthy sequencer',
    async () => (await Promise.all(nodes.map((n) => call<boolean>(rpc(n), 'conductor_sequencerHealthy')))).every(Boolean),
    timeoutMs,
  )
  for (const node of nodes) await call(rpc(node), 'conductor_resume')
  await until(
    'every conductor to agree on one leader',
    async () => {
      const ids = await Promise.all(nodes.map((n) => call<{ id: string }>(rpc(n), 'conductor_leaderWithID').then((l) => l.id)))
      return ids[0] !== '' && ids.every((id) => id === ids[0])
    },
    timeoutMs,
  )
}

/** One conductor's state (undefined when it does not answer). */
export async function conductorState(url: string): Promise<ConductorState | undefined> {
  try {
    const [leader, active, healthy, paused, withId] = await Promise.all([
      call<boolean>(url, 'conductor_leader'),
      call<boolean>(url, 'conductor_active'),
      call<boolean>(url, 'conductor_sequencerHealthy'),
      call<boolean>(url, 'conductor_paused'),
      call<{ id: string }>(url, 'conductor_leaderWithID'),
    ])
    return { leader, active, healthy, paused, leaderId: withId.id }
  } catch {
    return undefined
  }
}
