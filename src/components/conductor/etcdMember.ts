/**
 * The conductor's etcd member: a child process of the conductor, in its process group, so a signal
 * to the group (the process runtime's stop, a container's end) reaches both. Started under
 * `setpriv --pdeathsig KILL` where available, so even a SIGKILL of the conductor alone takes its etcd
 * with it. Three ways to start, as op-conductor's raft: `--raft.bootstrap` forms a new one-member
 * cluster; an existing data dir restarts the member; otherwise the conductor waits on its consensus
 * port for the leader's join message (sent by `conductor_addServerAsVoter` after etcd's member add)
 * and then starts etcd as a member of the existing cluster on that same port.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { join } from 'node:path'
import type { Logger } from '../shared/log.js'

export interface EtcdMemberOptions {
  /** etcd binary (`--etcd.bin`, `DEVNET_ETCD_BIN`, default `etcd` on PATH). */
  bin: string
  /** Member name: the raft server ID. */
  name: string
  /** `<raft.storage.dir>/<raft.server.id>`, as op-conductor lays out its raft files. */
  dataDir: string
  /** Peer listen host (`--consensus.addr`) and port (`--consensus.port`). */
  listenHost: string
  peerPort: number
  /** host:port the other members dial (`--consensus.advertised`, default addr:port). */
  advertised: string
  /** Client port on 127.0.0.1: only this conductor talks to its member. */
  clientPort: number
  /** etcd `--heartbeat-interval` and `--election-timeout`, ms. */
  heartbeatMs: number
  electionMs: number
  /** etcd `--snapshot-count` (from `--raft.snapshot-threshold`). */
  snapshotCount: number
}

export type StartMode = { kind: 'new' } | { kind: 'existing'; initialCluster: string } | { kind: 'restart' }

export interface EtcdMember {
  readonly clientUrl: string
  readonly child: ChildProcess
  /** Resolves with the exit code/signal when the process ends. */
  readonly exited: Promise<string>
  stop(): Promise<void>
}

/** The URL etcd peers use for a consensus address `host:port`. */
export const peerUrl = (addr: string) => `http://${addr}`

/** How this member must start given its data dir and `--raft.bootstrap`: undefined = wait for a join. */
export function startModeFor(opts: EtcdMemberOptions, bootstrap: boolean): StartMode | undefined {
  if (existsSync(join(opts.dataDir, 'member'))) return { kind: 'restart' }
  return bootstrap ? { kind: 'new' } : undefined
}

/** Spawns the etcd member and resolves once its client port answers. */
export async function startEtcdMember(opts: EtcdMemberOptions, mode: StartMode, log: Logger): Promise<EtcdMember> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 })
  const clientUrl = `http://127.0.0.1:${opts.clientPort}`
  const args = [
    `--name=${opts.name}`,
    `--data-dir=${opts.dataDir}`,
    `--listen-peer-urls=http://${opts.listenHost}:${opts.peerPort}`,
    `--initial-advertise-peer-urls=${peerUrl(opts.advertised)}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--heartbeat-interval=${opts.heartbeatMs}`,
    `--election-timeout=${opts.electionMs}`,
    `--snapshot-count=${opts.snapshotCount}`,
    '--initial-cluster-token=op-conductor',
    // etcd otherwise refuses a member add until every member has been connected for 5 s; raft's
    // AddVoter has no such wait, and the join message starts the new member right after the add.
    '--strict-reconfig-check=false',
    '--logger=zap',
    '--log-level=warn',
  ]
  if (mode.kind === 'new') args.push(`--initial-cluster=${opts.name}=${peerUrl(opts.advertised)}`, '--initial-cluster-state=new')
  if (mode.kind === 'existing') args.push(`--initial-cluster=${mode.initialCluster}`, '--initial-cluster-state=existing')
  const viaSetpriv = existsSync('/usr/bin/setpriv')
  const child = viaSetpriv
    ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', opts.bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] })
    : spawn(opts.bin, args, { stdio: ['ignore', 'inherit', 'inherit'] })
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`))
    child.once('error', (err) => resolve(`spawn error: ${err.message}`))
  })
  log.info('etcd member starting', { mode: mode.kind, peer: opts.advertised, client: clientUrl, pid: child.pid })
  const member: EtcdMember = {
    clientUrl,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await exited
      clearTimeout(t)
    },
  }
  const deadline = Date.now() + 15_000
  for (;;) {
    const state = await Promise.race([exited.then((s) => `exited (${s})`), probe(`${clientUrl}/version`)])
    if (state === 'ok') return member
    if (state.startsWith('exited')) throw new Error(`etcd member ${opts.name} ${state} before answering on ${clientUrl}`)
    if (Date.now() > deadline) {
      await member.stop()
      throw new Error(`etcd member ${opts.name} did not answer on ${clientUrl} within 15 s`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

function probe(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 500 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200 ? 'ok' : `HTTP ${res.statusCode}`)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (err) => resolve(err.message))
    req.end()
  })
}

/** The join message a leader sends to a new server's consensus address after etcd's member add. */
export interface JoinMessage {
  /** etcd `--initial-cluster`: `name=peerURL,...`, the new member included. */
  initialCluster: string
}

/**
 * Listens on the consensus address until a leader posts {@link JoinMessage} to `/join`, then frees the
 * port (etcd binds it next). `signal` aborts the wait.
 */
export function awaitJoin(host: string, port: number, log: Logger, signal: AbortSignal): Promise<JoinMessage> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        let msg: JoinMessage | undefined
        try {
          msg = JSON.parse(body) as JoinMessage
        } catch {
          /* answered below */
        }
        if (req.method !== 'POST' || req.url !== '/join' || typeof msg?.initialCluster !== 'string') {
          res.writeHead(400).end('expected POST /join {"initialCluster": "..."}')
          return
        }
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{}', () => {
          server.closeAllConnections()
          server.close(() => resolve(msg!))
        })
      })
    })
    signal.addEventListener('abort', () => {
      server.closeAllConnections()
      server.close(() => reject(new Error('stopped while waiting to join the cluster')))
    })
    server.once('error', reject)
    server.listen(port, host, () => log.info('waiting for the leader to add this server', { consensus: `${host}:${port}` }))
  })
}

/** Sends the join message to a new server's consensus address `addr` (host:port). */
export function sendJoin(addr: string, msg: JoinMessage, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(msg)
    const req = request(`${peerUrl(addr)}/join`, { method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume()
      if (res.statusCode === 200) resolve()
      else reject(new Error(`join message to ${addr}: HTTP ${res.statusCode}`))
    })
    req.on('timeout', () => req.destroy(new Error(`join message to ${addr} timed out`)))
    req.on('error', reject)
    req.end(body)
  })
}
