/**
 * Lite proxyd assembled from a validated config: backends, groups (a consensus poller for each
 * `consensus_aware` group), rate limiter, cache, metrics, the HTTP front and the WebSocket front.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { WebSocketServer } from 'ws'
import { Backend } from './backend.js'
import { RpcCache } from './cache.js'
import type { ProxydConfig } from './config.js'
import { ConsensusPoller } from './consensus.js'
import { BackendGroup } from './group.js'
import { createMetrics, serveMetrics, type Metrics } from './metrics.js'
import { RateLimiter } from './rateLimit.js'
import { startHttp } from './server.js'
import { startWs } from './ws.js'
import { logger } from '../shared/log.js'
import { closeServer } from '../shared/jsonrpc.js'

export interface RunningProxyd {
  groups: Map<string, BackendGroup>
  metrics: Metrics
  /** Bound ports (useful when the config asks for port 0). */
  ports: { rpc: number; ws?: number; metrics?: number }
  stop(): Promise<void>
}

/**
 * Starts proxyd; the consensus pollers run their first round before the fronts open, after waiting up to
 * `backendsWithinMs` for every backend to answer (see `ConsensusPoller.start`).
 */
export async function startProxyd(conf: ProxydConfig, opts: { backendsWithinMs?: number } = {}): Promise<RunningProxyd> {
  const log = logger('proxyd')
  const metrics = createMetrics()
  const cache = conf.cache.enabled ? new RpcCache(conf.cache.ttlMs) : undefined
  const backends = new Map(Object.values(conf.backends).map((b) => [b.name, new Backend(b, conf.backend, metrics)]))
  const groups = new Map<string, BackendGroup>()
  const pollers: ConsensusPoller[] = []
  for (const g of Object.values(conf.groups)) {
    const members = g.backends.map((name) => backends.get(name)!)
    const poller = g.routingStrategy === 'consensus_aware' ? new ConsensusPoller(g, members, metrics, log, () => cache?.clear()) : undefined
    if (poller) pollers.push(poller)
    groups.set(g.name, new BackendGroup(g, members, metrics, poller))
  }
  await Promise.all(pollers.map((p) => p.start(opts.backendsWithinMs)))
  const limiter = conf.rateLimit ? new RateLimiter(conf.rateLimit) : undefined
  const servers: Server[] = []
  let wss: WebSocketServer | undefined
  const stop = async () => {
    const polling = Promise.all(pollers.map((p) => p.stop())) // no new round from here
    await Promise.all(servers.map((s) => closeServer(s)))
    if (wss) {
      for (const c of wss.clients) c.terminate()
      await new Promise<void>((resolve) => wss!.close(() => resolve()))
    }
    // Every backend connection closes, those with a poll in flight too: a backend that does not answer (a
    // paused node) held the stop until its poll timed out.
    for (const b of backends.values()) b.close()
    await polling
  }
  try {
    servers.push(await startHttp({ conf, groups, metrics, limiter, cache }))
    if (conf.metrics.enabled) servers.push(await serveMetrics(metrics, conf.metrics.host, conf.metrics.port))
    if (conf.server.wsPort && conf.wsBackendGroup) wss = await startWs(conf, groups.get(conf.wsBackendGroup)!, metrics, log)
  } catch (err) {
    await stop()
    throw err
  }
  const ports = {
    rpc: (servers[0].address() as AddressInfo).port,
    metrics: conf.metrics.enabled ? (servers[1].address() as AddressInfo).port : undefined,
    ws: wss ? (wss.address() as AddressInfo).port : undefined,
  }
  log.info('proxyd started', { config: conf.file, ...ports, groups: [...groups.keys()].join(',') })
  return { groups, metrics, ports, stop }
}
