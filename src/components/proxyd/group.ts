/**
 * A proxyd backend group and its routing strategy: `fallback` tries the backends in order (healthy
 * ones first); `consensus_aware` spreads requests over the consensus group of its poller (skipping
 * unhealthy backends, degraded ones last) and rewrites block tags; `multicall` sends `eth_sendRawTransaction` to every backend at once and returns the first
 * success. A transport failure or an over-capacity backend moves on to the next backend; a JSON-RPC
 * error answered by a backend is passed through.
 */
import { Backend, BackendError, type RpcReq, type RpcRes } from './backend.js'
import type { GroupConfig } from './config.js'
import type { ConsensusPoller } from './consensus.js'
import { errors, ProxydRpcError } from './errors.js'
import type { Metrics } from './metrics.js'
import { rewrite } from './rewriter.js'

export interface Served {
  res: RpcRes
  /** `group/backend` that answered, or `group/proxyd` when answered locally. */
  servedBy: string
}

export class BackendGroup {
  private next = 0

  constructor(
    readonly conf: GroupConfig,
    readonly backends: Backend[],
    private readonly metrics: Metrics,
    readonly poller?: ConsensusPoller,
  ) {}

  /** Routes one request. @throws ProxydRpcError (-32011 when no backend could serve it, rewrite errors) */
  async forward(req: RpcReq): Promise<Served> {
    let order: Backend[]
    if (this.poller) {
      const { consensus, group } = this.poller
      if (!group.length) return this.unserviceable()
      const rw = rewrite(consensus, req.method, Array.isArray(req.params) ? req.params : [])
      if (rw.kind === 'response') return { res: { jsonrpc: '2.0', id: req.id, result: rw.result }, servedBy: `${this.conf.name}/proxyd` }
      if (rw.kind === 'error') throw new ProxydRpcError(rw.error)
      if (rw.kind === 'request') req = { ...req, params: rw.params }
      const start = this.next++ % group.length
      order = [...group.slice(start), ...group.slice(0, start)]
    } else {
      order = this.backends
    }
    if (this.conf.routingStrategy === 'multicall' && req.method === 'eth_sendRawTransaction') return this.multicall(req)
    // consensus_aware: the group's healthy backends, degraded ones last; fallback: healthy ones first.
    // Each backend's health is read once per request (a hot path).
    const first: Backend[] = []
    const last: Backend[] = []
    for (const b of order) {
      const healthy = b.healthy()
      if (this.poller) {
        if (healthy) (b.degraded() ? last : first).push(b)
      } else (healthy ? first : last).push(b)
    }
    for (const be of [...first, ...last]) {
      try {
        return { res: await be.forward(req), servedBy: `${this.conf.name}/${be.name}` }
      } catch (err) {
        if (err instanceof BackendError || (err instanceof ProxydRpcError && err.error === errors.backendOverCapacity)) continue
        throw err
      }
    }
    return this.unserviceable()
  }

  private async multicall(req: RpcReq): Promise<Served> {
    const settled = await new Promise<Served[]>((resolve) => {
      const answers: Served[] = []
      let pending = this.backends.length
      for (const be of this.backends) {
        be.forward(req).then(
          (res) => {
            const served = { res, servedBy: `${this.conf.name}/${be.name}` }
            if (!res.error) resolve([served])
            answers.push(served)
          },
          () => {},
        ).finally(() => {
          if (--pending === 0) resolve(answers)
        })
      }
    })
    return settled[0] ?? this.unserviceable()
  }

  private unserviceable(): never {
    this.metrics.unserviceableRequestsTotal.inc({ auth: 'none', request_source: 'http' })
    throw new ProxydRpcError(errors.noBackends)
  }
}
