/**
 * op-conductor's command line (flag names and `OP_CONDUCTOR_*` environment variables), mapped onto the
 * etcd design:
 * - `--consensus.addr` / `--consensus.port`: the etcd member's peer listener (raft traffic), and the
 *   address a new server is added with; `--consensus.advertised`: the peer URL other members dial.
 * - `--raft.server.id`: the etcd member name and the ID in the membership; `--raft.storage.dir`: etcd's
 *   data dir is `<dir>/<id>`; `--raft.bootstrap`: form a new one-member cluster.
 * - `--raft.heartbeat-timeout` (1s): the leader lease TTL (rounded up to whole seconds, at least 1):
 *   a silent leader is replaced after it. `--raft.lease-timeout` (500ms): etcd's `--election-timeout`
 *   (heartbeat interval a tenth of it). `--raft.snapshot-threshold`: etcd `--snapshot-count`.
 *   `--raft.snapshot-interval` and `--raft.trailing-logs` are accepted and unused (etcd has no such knob).
 * - Extensions: `--etcd.bin` (`DEVNET_ETCD_BIN`, default `etcd`), `--etcd.client-port` (default
 *   consensus port + 1; the client listener is on 127.0.0.1 only).
 */
import { Command, Option } from 'commander'
import { bool, parseDuration, uint } from '../shared/flags.js'

export { parseDuration }

export interface ConductorConfig {
  consensus: { addr: string; port: number; advertised: string; clientPort: number }
  raft: { serverId: string; storageDir: string; bootstrap: boolean; snapshotThreshold: number; heartbeatTimeoutMs: number; leaseTimeoutMs: number }
  nodeRpc: string
  executionRpc: string
  health: { interval: number; unsafeInterval: number; minPeerCount: number; safeEnabled: boolean; safeInterval: number }
  paused: boolean
  rpc: { addr: string; port: number; enableProxy: boolean }
  /** `--rollup.config`: rollup.json, read for the block time (else asked from `optimism_rollupConfig`). */
  rollupConfig?: string
  etcdBin: string
}

/** The etcd member's pid, written in `--raft.storage.dir` once it runs (for tools acting on the member alone). */
export const ETCD_PID_FILE = 'etcd.pid'

const env = (name: string) => `OP_CONDUCTOR_${name}`

const REQUIRED = ['raft.server.id', 'raft.storage.dir', 'node.rpc', 'execution.rpc', 'healthcheck.interval', 'healthcheck.unsafe-interval', 'healthcheck.min-peer-count']

/** The commander program (flags declared once, with their environment variables). */
export function conductorCommand(): Command {
  const o = (flags: string, desc: string, envName: string) => new Option(flags, desc).env(env(envName))
  return new Command('conductor')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .addOption(o('--consensus.addr <host>', 'consensus (etcd peer) listen host', 'CONSENSUS_ADDR').default('127.0.0.1'))
    .addOption(o('--consensus.port <port>', 'consensus (etcd peer) listen port', 'CONSENSUS_PORT').default(50050).argParser(uint('--consensus.port')))
    .addOption(o('--consensus.advertised <host:port>', 'consensus address other members dial', 'CONSENSUS_ADVERTISED').default(''))
    .addOption(o('--raft.server.id <id>', 'unique server ID', 'RAFT_SERVER_ID'))
    .addOption(o('--raft.storage.dir <dir>', 'consensus storage directory', 'RAFT_STORAGE_DIR'))
    .addOption(o('--raft.bootstrap [bool]', 'bootstrap a new one-member cluster', 'RAFT_BOOTSTRAP').default(false).argParser(bool('--raft.bootstrap')))
    .addOption(o('--raft.snapshot-interval <duration>', 'accepted, unused with etcd', 'RAFT_SNAPSHOT_INTERVAL').default('2m0s'))
    .addOption(o('--raft.snapshot-threshold <n>', 'etcd --snapshot-count', 'RAFT_SNAPSHOT_THRESHOLD').default(8192).argParser(uint('--raft.snapshot-threshold')))
    .addOption(o('--raft.trailing-logs <n>', 'accepted, unused with etcd', 'RAFT_TRAILING_LOGS').default('10240'))
    .addOption(o('--raft.heartbeat-timeout <duration>', 'leader lease TTL', 'RAFT_HEARTBEAT_TIMEOUT').default('1s'))
    .addOption(o('--raft.lease-timeout <duration>', 'etcd election timeout', 'RAFT_LEASE_TIMEOUT').default('500ms'))
    .addOption(o('--node.rpc <url>', 'rollup node RPC (admin API enabled)', 'NODE_RPC'))
    .addOption(o('--execution.rpc <url>', 'execution client RPC', 'EXECUTION_RPC'))
    .addOption(o('--healthcheck.interval <s>', 'seconds between health checks', 'HEALTHCHECK_INTERVAL').argParser(uint('--healthcheck.interval')))
    .addOption(o('--healthcheck.unsafe-interval <s>', 'max unsafe head age, seconds', 'HEALTHCHECK_UNSAFE_INTERVAL').argParser(uint('--healthcheck.unsafe-interval')))
    .addOption(o('--healthcheck.min-peer-count <n>', 'minimum connected peers', 'HEALTHCHECK_MIN_PEER_COUNT').argParser(uint('--healthcheck.min-peer-count')))
    .addOption(o('--healthcheck.safe-enabled [bool]', 'check safe head progress', 'HEALTHCHECK_SAFE_ENABLED').default(false).argParser(bool('--healthcheck.safe-enabled')))
    .addOption(o('--healthcheck.safe-interval <s>', 'max safe head age, seconds', 'HEALTHCHECK_SAFE_INTERVAL').default(1200).argParser(uint('--healthcheck.safe-interval')))
    .addOption(o('--paused [bool]', 'start paused', 'PAUSED').default(false).argParser(bool('--paused')))
    .addOption(o('--rpc.addr <host>', 'RPC listen address', 'RPC_ADDR').default('0.0.0.0'))
    .addOption(o('--rpc.port <port>', 'RPC listen port', 'RPC_PORT').default(8545).argParser(uint('--rpc.port')))
    .addOption(o('--rpc.enable-proxy [bool]', 'leader-only proxies to the node and EL', 'RPC_ENABLE_PROXY').default(true).argParser(bool('--rpc.enable-proxy')))
    .addOption(o('--rpc.enable-admin [bool]', 'accepted, unused', 'RPC_ENABLE_ADMIN').default(false).argParser(bool('--rpc.enable-admin')))
    .addOption(o('--rollup.config <path>', 'rollup.json (block time)', 'ROLLUP_CONFIG'))
    .addOption(new Option('--etcd.bin <path>', 'etcd binary').env('DEVNET_ETCD_BIN').default('etcd'))
    .addOption(o('--etcd.client-port <port>', 'etcd client port on 127.0.0.1', 'ETCD_CLIENT_PORT').argParser(uint('--etcd.client-port')))
}

/** Parses op-conductor's flags (and environment) into a {@link ConductorConfig}; throws on bad input. */
export function parseFlags(args: string[]): ConductorConfig {
  const cmd = conductorCommand()
  try {
    cmd.parse(args, { from: 'user' })
  } catch (err) {
    throw new Error(`conductor flags: ${(err as Error).message.replace(/^error: /, '')}`)
  }
  const v: Record<string, any> = {}
  for (const opt of cmd.options) v[opt.long!.slice(2)] = cmd.getOptionValue(opt.attributeName())
  const missing = REQUIRED.filter((k) => v[k] === undefined)
  if (missing.length) throw new Error(`conductor flags: missing required flag(s) ${missing.map((k) => `--${k}`).join(', ')}`)
  const port = v['consensus.port'] as number
  const heartbeatTimeoutMs = parseDuration('--raft.heartbeat-timeout', v['raft.heartbeat-timeout'])
  const leaseTimeoutMs = parseDuration('--raft.lease-timeout', v['raft.lease-timeout'])
  parseDuration('--raft.snapshot-interval', v['raft.snapshot-interval'])
  if (v['healthcheck.interval'] === 0) throw new Error('conductor flags: --healthcheck.interval must be at least 1')
  for (const k of ['node.rpc', 'execution.rpc']) {
    if (!/^https?:\/\//.test(v[k])) throw new Error(`conductor flags: --${k}: expected an http(s) URL, got "${v[k]}"`)
  }
  return {
    consensus: {
      addr: v['consensus.addr'],
      port,
      advertised: v['consensus.advertised'] || `${v['consensus.addr'] === '0.0.0.0' ? '127.0.0.1' : v['consensus.addr']}:${port}`,
      clientPort: v['etcd.client-port'] ?? port + 1,
    },
    raft: {
      serverId: v['raft.server.id'],
      storageDir: v['raft.storage.dir'],
      bootstrap: v['raft.bootstrap'],
      snapshotThreshold: v['raft.snapshot-threshold'],
      heartbeatTimeoutMs,
      leaseTimeoutMs,
    },
    nodeRpc: v['node.rpc'],
    executionRpc: v['execution.rpc'],
    health: {
      interval: v['healthcheck.interval'],
      unsafeInterval: v['healthcheck.unsafe-interval'],
      minPeerCount: v['healthcheck.min-peer-count'],
      safeEnabled: v['healthcheck.safe-enabled'],
      safeInterval: v['healthcheck.safe-interval'],
    },
    paused: v['paused'],
    rpc: { addr: v['rpc.addr'], port: v['rpc.port'], enableProxy: v['rpc.enable-proxy'] },
    rollupConfig: v['rollup.config'],
    etcdBin: v['etcd.bin'],
  }
}
