/**
 * The conductor's JSON-RPC table (namespace `conductor`, op-conductor's method names, params and
 * result shapes) and, with `--rpc.enable-proxy`, op-conductor's leader-only proxies to the node and
 * its execution client.
 */
import { rpcFail, type RpcClient, type RpcHandler } from '../shared/jsonrpc.js'
import type { Conductor } from './conductor.js'
import type { EnvelopeJson } from './consensus.js'
import { ERR_PROXY_NOT_LEADER } from './errors.js'
import { addServer, readMembership, removeServer } from './membership.js'

const INVALID_PARAMS = -32602
const SERVER_ERROR = -32000

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') rpcFail(INVALID_PARAMS, `invalid argument: ${what} must be a non-empty string`)
  return v
}

function version(v: unknown): number {
  if (v === undefined || v === null) return 0
  const n = typeof v === 'string' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) rpcFail(INVALID_PARAMS, 'invalid argument: version must be an unsigned integer')
  return n
}

/** Runs `fn`, answering its error with code -32000 and the error's message (as go-ethereum's rpc). */
const serverError = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn()
  } catch (err) {
    return rpcFail(SERVER_ERROR, err instanceof Error ? err.message : String(err))
  }
}

/** Methods forwarded by the proxy: to the execution client (`exec`) or the rollup node (`node`). */
export const PROXIED: Record<string, 'exec' | 'node'> = {
  eth_getBlockByNumber: 'exec',
  miner_setMaxDASize: 'exec',
  optimism_outputAtBlock: 'node',
  optimism_syncStatus: 'node',
  optimism_rollupConfig: 'node',
  admin_sequencerActive: 'node',
}

/** The `conductor_*` methods over `c`. */
export function conductorMethods(c: Conductor): Record<string, RpcHandler> {
  const cons = c.cons
  return {
    conductor_overrideLeader: ([override]) => {
      if (typeof override !== 'boolean') rpcFail(INVALID_PARAMS, 'invalid argument 0: expected a boolean')
      c.overridden = override
      return null
    },
    conductor_leaderOverridden: () => c.overridden,
    conductor_pause: () => serverError(() => c.pause()),
    conductor_resume: () => serverError(() => c.resume()),
    conductor_stop: () => serverError(() => c.stop()),
    conductor_paused: () => c.paused,
    conductor_stopped: () => c.stopped,
    conductor_active: () => !c.stopped && !c.paused,
    conductor_sequencerHealthy: () => c.healthy,
    conductor_leader: () => c.isLeader(),
    conductor_leaderWithID: () => c.leaderWithId(),
    conductor_addServerAsVoter: ([id, addr, v]) => serverError(() => addServer(cons, str(id, 'id'), str(addr, 'addr'), version(v), 0)),
    conductor_addServerAsNonvoter: ([id, addr, v]) => serverError(() => addServer(cons, str(id, 'id'), str(addr, 'addr'), version(v), 1)),
    conductor_removeServer: ([id, v]) => serverError(() => removeServer(cons, str(id, 'id'), version(v))),
    conductor_transferLeader: () => serverError(() => cons.transferLeader()),
    conductor_transferLeaderToServer: ([id, addr]) => serverError(() => cons.transferLeader({ id: str(id, 'id'), addr: str(addr, 'addr') })),
    conductor_clusterMembership: () => serverError(() => readMembership(cons)),
    conductor_commitUnsafePayload: ([envelope]) => serverError(() => c.commitUnsafePayload(envelope as EnvelopeJson)),
    // Extension: op-conductor keeps `LatestUnsafePayload` internal; the devnet reads it for checks.
    conductor_latestUnsafePayload: () => serverError(() => cons.latestUnsafePayload()),
  }
}

/** The proxy methods: forwarded only while `c` is the leader (or overridden). */
export function proxyMethods(c: Conductor, node: RpcClient, exec: RpcClient): Record<string, RpcHandler> {
  const table: Record<string, RpcHandler> = {}
  for (const [method, target] of Object.entries(PROXIED)) {
    table[method] = (params) => {
      if (!c.isLeader()) rpcFail(SERVER_ERROR, ERR_PROXY_NOT_LEADER)
      return (target === 'exec' ? exec : node).call(method, params)
    }
  }
  return table
}
