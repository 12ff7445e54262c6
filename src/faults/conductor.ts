/**
 * Faults of the conductor cluster (`l2.conductor`), addressed by node name (a node with a conductor):
 * - `transferLeader({ to? })`: the leader hands leadership over (`conductor_transferLeader`, or
 *   `conductor_transferLeaderToServer` with `to`); waits until another conductor (`to`) reports leading,
 *   and fails if that takes more than `timeout`.
 * - `conductorPause({ node })` / `conductorResume({ node })`: `conductor_pause` / `conductor_resume`.
 * - `overrideLeader({ node })`: disaster recovery as the runbooks do it: the node's conductor is paused and
 *   told it leads (`conductor_pause`, `conductor_overrideLeader(true)`; skipped when it does not answer),
 *   the node is told to ignore its conductor (`admin_overrideLeader`) and started at its unsafe head.
 * - `etcdPartition({ node })`: cuts the node's conductor from the consensus by freezing its etcd member
 *   (SIGSTOP): raft messages to and from the member, and its conductor's consensus calls, go unanswered,
 *   as behind a blackhole partition, while the conductor itself keeps running. Ended by `etcdHeal` or `heal`
 *   (SIGCONT). On docker the signal goes in through `docker exec` (`ServiceHandle.signalProcess`).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ETCD_PID_FILE } from '../components/conductor/flags.js'
import { DevnetError } from '../errors.js'
import { CONDUCTOR_STORAGE_DIR, conductorServerId, conductorService } from '../plan/conductor.js'
import { conductorNodes } from '../topology/conductor.js'
import { int } from '../topology/reader.js'
import { member, type Names } from './checks.js'
import { activeFaults, call, startSequencerAtHead, type FaultContext, type FaultDevnet } from './context.js'
import { runFault, type FaultChaos, type FaultDefinition } from './definition.js'
import { pick } from './draw.js'

const rpcOf = (devnet: FaultDevnet, node: string) => devnet.endpoints[conductorService(node)]!.rpc!

const conducted = (names: Names) => member('node with a conductor', conductorNodes(names.topology))
const nodeArg = (names: Names) => ({ node: { check: conducted(names), doc: 'a node with a conductor (l2.conductor)' } })

/** The node whose conductor leads now (asks every conductor; undefined: none answers yes). */
/**
 * Chaos draws of the conductor faults, on a node with a conductor: only in conductor topologies, and one
 * conductor fault at a time (every conductor in `uses`): two, say two frozen etcd members of three, take
 * the cluster below quorum, which halts sequencing by design.
 */
function conductorChaos<A>(draw: (node: string) => A): FaultChaos<A> {
  return {
    unsupported: (names) => (conductorNodes(names.topology).length ? undefined : 'needs a conductor cluster (l2.conductor.enabled, e.g. fixtures/ha.yaml)'),
    draw: (random, names) => draw(pick(random, conductorNodes(names.topology))),
    uses: (_args, names) => conductorNodes(names.topology).flatMap((n) => [n, conductorService(n)]),
  }
}

export async function currentLeader(devnet: FaultDevnet): Promise<string | undefined> {
  const nodes = conductorNodes(devnet.topology)
  const answers = await Promise.all(nodes.map((n) => call<boolean>(rpcOf(devnet, n), 'conductor_leader', [], 2_000).catch(() => false)))
  return nodes[answers.indexOf(true)]
}

export interface TransferParameters {
  /** The node whose conductor must lead next. @default '' (any other voter) */
  to?: string
  /** How long the new leader may take, ms. @default 5000 */
  timeoutMs?: number
}

export const transferLeaderFault: FaultDefinition<TransferParameters, { from: string; to: string; elapsedMs: number }> = {
  summary: 'the conductor leader hands leadership over (to a named node, or any voter; no-op if that one leads); fails if no new leader within timeoutMs',
  lasts: 'instant',
  args: (names) => ({
    to: { check: conducted(names), default: '', doc: 'the node whose conductor leads next (default "": any other voter)' },
    timeoutMs: { check: int(1), default: 5_000, doc: 'max time for the new leader, ms' },
  }),
  targets: ({ to }) => (to ? [conductorService(to)] : []),
  act: async (ctx, { to, timeoutMs = 5_000 }) => {
    const { devnet } = ctx
    let from = await currentLeader(devnet)
    if (!from) throw new DevnetError('transferLeader: no conductor leads now', { code: 'DEVNET_SERVICE_FAILED' })
    const t0 = Date.now()
    if (to === from) return { from, to, elapsedMs: 0 }
    // Leadership can move between reading it and asking (a lease lapsing on a loaded machine): the
    // transfer is then asked of the conductor that leads by then, until timeoutMs.
    for (;;) {
      try {
        if (to) {
          const addr = (await call<{ servers: Array<{ id: string; addr: string }> }>(rpcOf(devnet, from), 'conductor_clusterMembership')).servers.find((s) => s.id === conductorServerId(to))?.addr
          if (!addr) throw new DevnetError(`transferLeader: ${to} is not in the cluster membership`, { code: 'DEVNET_SERVICE_FAILED' })
          await call(rpcOf(devnet, from), 'conductor_transferLeaderToServer', [conductorServerId(to), addr])
        } else {
          await call(rpcOf(devnet, from), 'conductor_transferLeader')
        }
        break
      } catch (err) {
        if (!/node is not the leader/.test((err as Error).message) || Date.now() - t0 > timeoutMs) throw err
        await sleep(50)
        const now = await currentLeader(devnet)
        if (now && now === to) return { from, to, elapsedMs: Date.now() - t0 }
        if (now) from = now
      }
    }
    for (;;) {
      const now = await currentLeader(devnet)
      if (now && now !== from && (!to || now === to)) return { from, to: now, elapsedMs: Date.now() - t0 }
      if (Date.now() - t0 > timeoutMs) {
        throw new DevnetError(`transferLeader: ${to ?? 'no other conductor'} leads ${timeoutMs} ms after the transfer from ${from} (leader now: ${now ?? 'none'})`, { code: 'DEVNET_SERVICE_TIMEOUT' })
      }
      await sleep(50)
    }
  },
  details: (r) => r,
  // A new leader within 10 s: the 5 s of the runbooks' checks leave no room for a loaded machine.
  chaos: conductorChaos((to) => ({ to, timeoutMs: 10_000 })),
}

export const conductorPauseFault: FaultDefinition<{ node: string }> = {
  summary: "pause a node's conductor (conductor_pause: it stays in the election but takes no action); ended by conductorResume",
  lasts: 'window',
  endedBy: ['conductorResume'],
  args: nodeArg,
  targets: ({ node }) => [conductorService(node)],
  act: async (ctx, { node }) => void (await call(rpcOf(ctx.devnet, node), 'conductor_pause')),
  chaos: conductorChaos((node) => ({ node })),
}

export const conductorResumeFault: FaultDefinition<{ node: string }> = {
  summary: "resume a node's conductor (conductor_resume); ends conductorPause",
  lasts: 'recovery',
  args: nodeArg,
  targets: ({ node }) => [conductorService(node)],
  act: async (ctx, { node }) => void (await call(rpcOf(ctx.devnet, node), 'conductor_resume')),
}

export const overrideLeaderFault: FaultDefinition<{ node: string }, { startedAt: number }> = {
  summary: 'disaster recovery: pause the node\'s conductor and override leadership on it and on the node, then start the node\'s sequencer',
  lasts: 'instant',
  args: nodeArg,
  targets: ({ node }) => [node, conductorService(node)],
  act: async (ctx, { node }) => {
    const { devnet } = ctx
    const conductor = rpcOf(devnet, node)
    await call(conductor, 'conductor_pause', [], 3_000).catch(() => {})
    await call(conductor, 'conductor_overrideLeader', [true], 3_000).catch(() => {})
    const rollup = devnet.endpoints[node]!.rollup!
    await call(rollup, 'admin_overrideLeader')
    if (await call<boolean>(rollup, 'admin_sequencerActive')) {
      return { startedAt: (await call<{ unsafe_l2: { number: number } }>(rollup, 'optimism_syncStatus')).unsafe_l2.number }
    }
    return { startedAt: (await startSequencerAtHead(rollup)).number }
  },
  details: (r) => r,
  neverDrawn: 'broken on purpose: the node sequences beside the conductor leader (two sequencers at once), so singleSequencer must fire',
}

/**
 * Sends `signal` to the etcd member of `node`'s conductor, by the pid the conductor writes to its
 * storage dir (the service directory: a bind mount on docker, where the pid is the container's).
 */
async function signalEtcd(devnet: FaultDevnet, node: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<number> {
  const service = devnet.service(conductorService(node))
  const file = join(dirname(service.logFile), CONDUCTOR_STORAGE_DIR, ETCD_PID_FILE)
  let pid: number
  try {
    pid = Number(readFileSync(file, 'utf8').trim())
  } catch (err) {
    throw new DevnetError(`etcdPartition: cannot read the etcd member's pid of ${conductorService(node)}: ${(err as Error).message}`, { code: 'DEVNET_SERVICE_FAILED' })
  }
  // A member gone (its conductor crashed) has nothing left to cut or heal.
  await service.signalProcess(pid, signal)
  return pid
}

export const etcdPartitionFault: FaultDefinition<{ node: string }, { pid: number }> = {
  summary: "cut a node's conductor from the consensus (its etcd member frozen: no raft traffic in or out); ended by etcdHeal or heal",
  lasts: 'window',
  endedBy: ['etcdHeal', 'heal'],
  args: nodeArg,
  targets: ({ node }) => [conductorService(node)],
  act: async (ctx, { node }) => ({ pid: await signalEtcd(ctx.devnet, node, 'SIGSTOP') }),
  details: (r) => r,
  chaos: conductorChaos((node) => ({ node })),
}

export const etcdHealFault: FaultDefinition<{ node: string }> = {
  summary: "reconnect a node's conductor to the consensus; ends etcdPartition",
  lasts: 'recovery',
  args: nodeArg,
  targets: ({ node }) => [conductorService(node)],
  act: async (ctx, { node }) => void (await signalEtcd(ctx.devnet, node, 'SIGCONT')),
}

/** `heal`: thaws the etcd members of every active etcdPartition. */
export async function healEtcdPartitions(ctx: FaultContext): Promise<void> {
  for (const w of activeFaults(ctx.state).filter((f) => f.name === 'etcdPartition')) await signalEtcd(ctx.devnet, String(w.args.node), 'SIGCONT')
}

export const transferLeader = (ctx: FaultContext, args: TransferParameters) => runFault(ctx, 'transferLeader', transferLeaderFault, args)
