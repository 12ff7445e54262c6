/**
 * Entry of the lite op-conductor: `conductor <op-conductor flags>` (see flags.ts). Order as
 * op-conductor's init: sequencer control (the node must say `admin_conductorEnabled`), the RPC server,
 * the consensus (this conductor's etcd member, a child process: see etcdMember.ts), the health monitor,
 * then the control loop. SIGTERM/SIGINT stop it all, etcd included.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { closeServer, RpcError, rpcClient, startRpcServer, type RpcClient } from '../shared/jsonrpc.js'
import { stopOnSignals } from '../shared/lifecycle.js'
import { logger, type Logger } from '../shared/log.js'
import { Conductor } from './conductor.js'
import { EtcdConsensus } from './consensus.js'
import { awaitJoin, startEtcdMember, startModeFor, type EtcdMember, type EtcdMemberOptions } from './etcdMember.js'
import { ETCD_PID_FILE, parseFlags, type ConductorConfig } from './flags.js'
import { HealthMonitor } from './health.js'
import { bootstrapMembership } from './membership.js'
import { conductorMethods, proxyMethods } from './rpc.js'
import { sequencerControl } from './sequencerControl.js'

export const CONDUCTOR_VERSION = 'v0.1.0-lite'

/** op-conductor refuses to run beside a node that does not enable it (method missing: warn, go on). */
async function checkConductorEnabled(node: RpcClient, log: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (await node.call<boolean>('admin_conductorEnabled', [], 2_000)) return
      throw new Error('conductor is not enabled on sequencer, exiting...')
    } catch (err) {
      if (err instanceof RpcError && (err.code === -32601 || /method not found|does not exist/i.test(err.message))) {
        log.warn('conductorEnabled method not found, please upgrade your op-node to the latest version, continuing...')
        return
      }
      if (err instanceof RpcError || attempt >= 60 || signal.aborted) throw new Error(`failed to connect to sequencer: ${(err as Error).message}`)
      await new Promise((r) => setTimeout(r, 1_000))
    }
  }
}

async function blockTime(cfg: ConductorConfig, node: RpcClient): Promise<number> {
  const rollup = cfg.rollupConfig ? JSON.parse(readFileSync(cfg.rollupConfig, 'utf8')) : await node.call<any>('optimism_rollupConfig')
  const bt = Number(rollup?.block_time ?? rollup?.blockTime)
  if (!Number.isFinite(bt) || bt <= 0) throw new Error(`rollup config ${cfg.rollupConfig ?? '(optimism_rollupConfig)'}: block_time: expected a positive number`)
  return bt
}

/** Starts a conductor; resolves once it serves RPC and takes part in the consensus. */
export async function startConductor(cfg: ConductorConfig, signal: AbortSignal): Promise<{ conductor: Conductor; stop(): Promise<void> }> {
  const log = logger(`conductor-${cfg.raft.serverId}`)
  const node = rpcClient(cfg.nodeRpc)
  const exec = rpcClient(cfg.executionRpc)
  await checkConductorEnabled(node, log, signal)
  const ctrl = sequencerControl(node, exec)
  const cons = new EtcdConsensus(
    {
      serverId: cfg.raft.serverId,
      addr: cfg.consensus.advertised,
      clientUrl: `http://127.0.0.1:${cfg.consensus.clientPort}`,
      leaseTtlSec: Math.max(1, Math.ceil(cfg.raft.heartbeatTimeoutMs / 1000)),
      pollMs: 100,
      transferWindowMs: 2_000,
      callTimeoutMs: 2_000,
    },
    log,
  )
  let member: EtcdMember | undefined
  let conductor: Conductor | undefined
  const health = new HealthMonitor(
    { ...cfg.health, blockTime: await blockTime(cfg, node) },
    node,
    log,
    (err) => conductor?.onHealth(err),
  )
  conductor = new Conductor(cons, ctrl, health, log, cfg.paused, async () => void (await member?.stop()))
  const c = conductor
  const server = await startRpcServer({
    host: cfg.rpc.addr,
    port: cfg.rpc.port,
    methods: { ...conductorMethods(c), ...(cfg.rpc.enableProxy ? proxyMethods(c, node, exec) : {}) },
    health: () => ({ version: CONDUCTOR_VERSION, leader: c.isLeader(), active: !c.stopped && !c.paused, healthy: c.healthy }),
  })
  const stop = async () => {
    await c.stop()
    await closeServer(server)
  }
  try {
    const etcdOpts: EtcdMemberOptions = {
      bin: cfg.etcdBin,
      name: cfg.raft.serverId,
      dataDir: join(cfg.raft.storageDir, cfg.raft.serverId),
      listenHost: cfg.consensus.addr,
      peerPort: cfg.consensus.port,
      advertised: cfg.consensus.advertised,
      clientPort: cfg.consensus.clientPort,
      electionMs: Math.max(100, Math.round(cfg.raft.leaseTimeoutMs)),
      heartbeatMs: Math.max(10, Math.round(cfg.raft.leaseTimeoutMs / 10)),
      snapshotCount: cfg.raft.snapshotThreshold,
    }
    const mode = startModeFor(etcdOpts, cfg.raft.bootstrap) ?? {
      kind: 'existing' as const,
      initialCluster: (await awaitJoin(cfg.consensus.addr, cfg.consensus.port, log, signal)).initialCluster,
    }
    member = await startEtcdMember(etcdOpts, mode, log)
    // For tools acting on the member alone (the devnet's etcdPartition fault freezes it).
    writeFileSync(join(cfg.raft.storageDir, ETCD_PID_FILE), `${member.child.pid}\n`)
    void member.exited.then((how) => {
      if (!c.stopped) log.error('etcd member exited; this server takes no part in the consensus any more', { how })
    })
    if (mode.kind === 'new') await bootstrapMembership(cons)
    cons.start()
    await c.start()
    health.start()
  } catch (err) {
    await stop()
    throw err
  }
  log.info('conductor started', { rpc: `${cfg.rpc.addr}:${cfg.rpc.port}`, consensus: cfg.consensus.advertised, paused: cfg.paused, proxy: cfg.rpc.enableProxy })
  return { conductor: c, stop }
}

/** `conductor <flags>` */
export async function main(args: string[]): Promise<void> {
  const cfg = parseFlags(args)
  const abort = new AbortController()
  let running: { stop(): Promise<void> } | undefined
  stopOnSignals(async () => {
    abort.abort()
    await running?.stop()
  })
  process.on('unhandledRejection', (err) => console.error('conductor: unhandled rejection:', err))
  running = await startConductor(cfg, abort.signal)
}
