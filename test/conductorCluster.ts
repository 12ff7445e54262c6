/**
 * A cluster of real lite conductors (each its own process group with its own etcd member, on
 * loopback, free ports) beside TEST DOUBLES of the rollup node. The double is a minimal real JSON-RPC
 * server standing in for a sequencer-capable node and its execution client: it records
 * `admin_startSequencer` / `admin_stopSequencer`, serves `optimism_syncStatus`, `opp2p_peerStats`,
 * `eth_getBlockByNumber`, and while active seals a fake block every `blockMs` and commits it to its
 * conductor first (as op-node does). The rollup node integration has landed (real-node suites:
 * test/conductor.devnet.test.ts, the conductor scenarios, bench/conductorDevnet.ts); moving these
 * component suites onto real nodes is still to do.
 * Used by test/conductor.test.ts and bench/conductor.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, openSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeServer, rpcClient, rpcFail, startRpcServer } from '../src/components/shared/jsonrpc.js'
import { logger } from '../src/components/shared/log.js'
import { EtcdConsensus, type ConsensusOptions } from '../src/components/conductor/consensus.js'
import { startEtcdMember } from '../src/components/conductor/etcdMember.js'
import { bootstrapMembership } from '../src/components/conductor/membership.js'

/** Whether the etcd binary (Debian's `etcd-server`, or `DEVNET_ETCD_BIN`) runs here. */
export function etcdAvailable(): boolean {
  try {
    execFileSync(process.env.DEVNET_ETCD_BIN ?? 'etcd', ['--version'], { stdio: 'ignore', timeout: 5_000 })
    return true
  } catch {
    return false
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s: Server = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/**
 * One bootstrapped etcd member (a real child process) with an in-process {@link EtcdConsensus} over
 * it, elected leader before this resolves. For the consensus and conductor unit suites.
 */
export async function startSingleConsensus(id: string, opts: Partial<ConsensusOptions> = {}): Promise<{ cons: EtcdConsensus; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'consensus-'))
  const log = logger(`consensus-${id}`)
  const [peerPort, clientPort] = [await freePort(), await freePort()]
  const addr = `127.0.0.1:${peerPort}`
  const member = await startEtcdMember(
    { bin: process.env.DEVNET_ETCD_BIN ?? 'etcd', name: id, dataDir: join(dir, id), listenHost: '127.0.0.1', peerPort, advertised: addr, clientPort, heartbeatMs: 50, electionMs: 500, snapshotCount: 8192 },
    { kind: 'new' },
    log,
  )
  const cons = new EtcdConsensus({ serverId: id, addr, clientUrl: member.clientUrl, leaseTtlSec: 5, pollMs: 100, transferWindowMs: 2_000, callTimeoutMs: 2_000, ...opts }, log)
  const stop = async () => {
    await cons.shutdown()
    await member.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await bootstrapMembership(cons)
    cons.start()
    await until(`${id} elected`, async () => cons.leader(), 10_000)
  } catch (err) {
    await stop()
    throw err
  }
  return { cons, stop }
}

export interface Block {
  number: number
  hash: string
  timestamp: number
}

/** The chain every double's "execution client" shows (the active one extends it after committing). */
export interface SharedChain {
  head: Block
}

const hex = (n: number) => `0x${n.toString(16)}`
const randomHash = () => `0x${randomBytes(32).toString('hex')}`

/** Test double of a sequencer-capable rollup node + EL (see the file header). */
export class SequencerDouble {
  readonly calls: Array<{ method: string; at: number; params: unknown[] }> = []
  active = false
  peers = 2
  conductorUrl = ''
  commitFailures = 0
  private timer?: NodeJS.Timeout
  private server?: Awaited<ReturnType<typeof startRpcServer>>
  url = ''

  constructor(
    readonly chain: SharedChain,
    readonly blockMs = 500,
  ) {}

  async start(): Promise<void> {
    const port = await freePort()
    this.url = `http://127.0.0.1:${port}`
    const record = (method: string, params: unknown[]) => this.calls.push({ method, at: Date.now(), params })
    const ref = (b: Block) => ({ hash: b.hash, number: b.number, timestamp: b.timestamp })
    this.server = await startRpcServer({
      host: '127.0.0.1',
      port,
      methods: {
        admin_conductorEnabled: () => true,
        admin_sequencerActive: () => this.active,
        admin_startSequencer: ([hash]) => {
          record('admin_startSequencer', [hash])
          if (this.active) rpcFail(-32000, 'sequencer already running')
          if (hash !== this.chain.head.hash) rpcFail(-32000, `block hash does not match: head ${this.chain.head.hash}, received ${hash}`)
          this.setActive(true)
        },
        admin_stopSequencer: () => {
          record('admin_stopSequencer', [])
          if (!this.active) rpcFail(-32000, 'sequencer not running')
          this.setActive(false)
          return this.chain.head.hash
        },
        admin_postUnsafePayload: (params) => void record('admin_postUnsafePayload', params),
        optimism_rollupConfig: () => ({ block_time: 1 }),
        optimism_syncStatus: () => ({ unsafe_l2: ref(this.chain.head), safe_l2: ref(this.chain.head), finalized_l2: ref(this.chain.head) }),
        opp2p_peerStats: () => ({ connected: this.peers }),
        eth_getBlockByNumber: () => ({ number: hex(this.chain.head.number), hash: this.chain.head.hash, timestamp: hex(this.chain.head.timestamp) }),
      },
    })
  }

  /** Starts/stops sealing: each block is committed to the conductor before it becomes the head. */
  setActive(active: boolean): void {
    this.active = active
    clearInterval(this.timer)
    if (!active) return
    const conductor = rpcClient(this.conductorUrl, 2_000)
    let sealing = false
    this.timer = setInterval(async () => {
      if (sealing || !this.active) return
      sealing = true
      const parent = this.chain.head
      const next: Block = { number: parent.number + 1, hash: randomHash(), timestamp: Math.floor(Date.now() / 1000) }
      const envelope = { executionPayload: { parentHash: parent.hash, blockNumber: hex(next.number), blockHash: next.hash, timestamp: hex(next.timestamp), transactions: [] } }
      try {
        await conductor.call('conductor_commitUnsafePayload', [envelope])
        if (this.chain.head === parent) this.chain.head = next
      } catch {
        this.commitFailures++
      }
      sealing = false
    }, this.blockMs)
  }

  /** Calls of `method` recorded after `since` (ms epoch). */
  callsOf(method: string, since = 0) {
    return this.calls.filter((c) => c.method === method && c.at >= since)
  }

  async stop(): Promise<void> {
    this.setActive(false)
    if (this.server) await closeServer(this.server)
  }
}

export interface ConductorProc {
  id: string
  rpc: string
  /** Consensus (etcd peer) address host:port. */
  consensus: string
  clientPort: number
  double: SequencerDouble
  child: ChildProcess
  /** Starts the conductor again with the same flags and storage (after a kill): its etcd member restarts. */
  restart(): Promise<void>
  /** SIGKILL of the whole process group (conductor + etcd), as the process runtime does. */
  killGroup(): void
  /** SIGKILL of the conductor process alone (its etcd must die with it). */
  killConductorOnly(): void
  alive(): boolean
}

export interface Cluster {
  dir: string
  chain: SharedChain
  conductors: ConductorProc[]
  /** Starts one more conductor (paused, waiting to be added). */
  spawnConductor(id: string, opts?: { bootstrap?: boolean }): Promise<ConductorProc>
  stop(): Promise<void>
}

const call = <T = any>(url: string, method: string, params: unknown[] = []) => rpcClient(url, 5_000).call<T>(method, params)

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Starts `n` conductors the way op-e2e bootstraps a cluster: all paused, the first bootstraps the
 * consensus, its sequencer is started by hand at its head (its first block is committed), the others
 * are added as voters, then all resume.
 */
export async function startCluster(n = 3, opts: { blockMs?: number; unsafeInterval?: number } = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-'))
  const chain: SharedChain = { head: { number: 0, hash: randomHash(), timestamp: Math.floor(Date.now() / 1000) } }
  const conductors: ConductorProc[] = []
  const doubles: SequencerDouble[] = []
  const main = new URL('../dist/components/main.js', import.meta.url).pathname

  async function spawnConductor(id: string, o: { bootstrap?: boolean } = {}): Promise<ConductorProc> {
    const double = new SequencerDouble(chain, opts.blockMs ?? 500)
    await double.start()
    doubles.push(double)
    const [rpcPort, peerPort, clientPort] = [await freePort(), await freePort(), await freePort()]
    const log = openSync(join(dir, `${id}.log`), 'a')
    const args = [
      main, 'conductor',
      `--raft.server.id=${id}`, `--raft.storage.dir=${join(dir, 'raft')}`,
      '--consensus.addr=127.0.0.1', `--consensus.port=${peerPort}`, `--etcd.client-port=${clientPort}`,
      `--node.rpc=${double.url}`, `--execution.rpc=${double.url}`,
      '--healthcheck.interval=1', `--healthcheck.unsafe-interval=${opts.unsafeInterval ?? 5}`, '--healthcheck.min-peer-count=1',
      '--rpc.addr=127.0.0.1', `--rpc.port=${rpcPort}`, '--paused',
      ...(o.bootstrap ? ['--raft.bootstrap'] : []),
    ]
    const rpc = `http://127.0.0.1:${rpcPort}`
    double.conductorUrl = rpc
    const launch = () => spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] })
    const ready = () => until(`${id} RPC`, () => call<boolean>(rpc, 'conductor_paused').then(() => true))
    const proc: ConductorProc = {
      id,
      rpc,
      consensus: `127.0.0.1:${peerPort}`,
      clientPort,
      double,
      child: launch(),
      async restart() {
        proc.child = launch()
        await ready()
      },
      killGroup: () => process.kill(-proc.child.pid!, 'SIGKILL'),
      killConductorOnly: () => process.kill(proc.child.pid!, 'SIGKILL'),
      alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
    }
    conductors.push(proc)
    await ready()
    return proc
  }

  const cluster: Cluster = {
    dir,
    chain,
    conductors,
    spawnConductor,
    async stop() {
      for (const c of conductors) {
        try {
          process.kill(-c.child.pid!, 'SIGKILL')
        } catch {
          /* already gone */
        }
      }
      for (const d of doubles) await d.stop()
      if (!process.env.CONDUCTOR_KEEP_LOGS) rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    const first = await spawnConductor('seq-0', { bootstrap: true })
    for (let i = 1; i < n; i++) await spawnConductor(`seq-${i}`)
    await until('seq-0 elected', () => call<boolean>(first.rpc, 'conductor_leader'))
    chain.head.timestamp = Math.floor(Date.now() / 1000)
    first.double.setActive(true)
    await until('the first unsafe payload committed', () => call(first.rpc, 'conductor_latestUnsafePayload'))
    for (const c of conductors.slice(1)) {
      await call(first.rpc, 'conductor_addServerAsVoter', [c.id, c.consensus, 0])
    }
    await until('all conductors report a healthy sequencer', async () => {
      const healthy = await Promise.all(conductors.map((c) => call<boolean>(c.rpc, 'conductor_sequencerHealthy')))
      return healthy.every(Boolean)
    })
    for (const c of conductors) await call(c.rpc, 'conductor_resume')
    await until('all conductors agree on the leader', async () => {
      const ids = await Promise.all(conductors.map((c) => call<{ id: string }>(c.rpc, 'conductor_leaderWithID').then((l) => l.id)))
      return ids.every((x) => x === 'seq-0')
    })
  } catch (err) {
    await cluster.stop()
    throw err
  }
  return cluster
}

export { call as conductorCall, until }
