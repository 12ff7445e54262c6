/**
 * op-node's side of op-conductor (`--conductor.enabled`, `--conductor.rpc`, `--conductor.rpc-timeout`):
 * every sealed block is committed to the conductor before it is gossiped or kept (2 retries, 50 ms
 * apart), `admin_startSequencer` asks `conductor_leader` first, and `admin_overrideLeader` turns both
 * checks off (disaster recovery).
 */
import type { ExecutionPayloadEnvelopeJson } from '../../protocol/payload.js'
import { rpcClient, rpcFail, type RpcClient } from '../shared/jsonrpc.js'

/** Node config of the conductor integration. */
export interface ConductorSettings {
  /** `--conductor.enabled`. */
  enabled: boolean
  /** `--conductor.rpc` (op-node's default: `http://127.0.0.1:8547`). */
  rpc: string
  /** `--conductor.rpc-timeout`, ms (op-node's default: 1 s). */
  rpcTimeoutMs: number
}

const COMMIT_ATTEMPTS = 3
const COMMIT_RETRY_MS = 50

export class ConductorLink {
  /** `admin_overrideLeader` was called: no conductor calls any more. */
  overridden = false
  private readonly client: RpcClient | undefined

  constructor(readonly settings: ConductorSettings | undefined) {
    this.client = settings?.enabled ? rpcClient(settings.rpc, settings.rpcTimeoutMs) : undefined
  }

  /** `admin_conductorEnabled`. */
  get enabled(): boolean {
    return this.client !== undefined
  }

  /** Whether the node must ask its conductor (enabled and not overridden). */
  private get active(): RpcClient | undefined {
    return this.overridden ? undefined : this.client
  }

  /** Refuses to start sequencing unless the conductor says this node leads (op-node's check and error). */
  async assertLeader(): Promise<void> {
    const c = this.active
    if (!c) return
    let leader: boolean
    try {
      leader = await c.call<boolean>('conductor_leader', [])
    } catch (err) {
      rpcFail(-32000, `failed to get conductor leader status: ${(err as Error).message}`)
    }
    if (!leader) rpcFail(-32000, 'sequencer is not the leader, aborting')
  }

  /** Commits a sealed block's envelope; throws the last error after the retries. */
  async commit(envelope: ExecutionPayloadEnvelopeJson): Promise<void> {
    const c = this.active
    if (!c) return
    let last: unknown
    for (let i = 0; i < COMMIT_ATTEMPTS; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, COMMIT_RETRY_MS))
      try {
        await c.call('conductor_commitUnsafePayload', [envelope])
        return
      } catch (err) {
        last = err
      }
    }
    throw new Error(`failed to commit unsafe payload to conductor: ${(last as Error).message}`)
  }
}
