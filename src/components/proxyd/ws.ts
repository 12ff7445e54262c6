/**
 * proxyd's WebSocket front on `[server] ws_host:ws_port`: each client connection is proxied to one
 * backend of `ws_backend_group` (its `ws_url`; a consensus-aware group picks from its consensus group),
 * client messages are checked against `ws_method_whitelist` (-32601 "rpc method is not whitelisted"),
 * and backend messages (answers, `eth_subscription` notifications such as `newHeads`) are relayed as
 * they are. Either side closing closes the other.
 */
import { WebSocket, WebSocketServer } from 'ws'
import type { Backend } from './backend.js'
import type { ProxydConfig } from './config.js'
import { errors, withMessage } from './errors.js'
import type { BackendGroup } from './group.js'
import type { Metrics } from './metrics.js'
import type { Logger } from '../shared/log.js'

/** Starts the WebSocket front; resolves once listening. */
export async function startWs(conf: ProxydConfig, group: BackendGroup, metrics: Metrics, log: Logger): Promise<WebSocketServer> {
  const whitelist = new Set(conf.wsMethodWhitelist)
  const conns = new Map<Backend, number>()
  const pick = (): Backend | undefined => {
    const pool = (group.poller ? group.poller.group : group.backends).filter((b) => b.conf.wsUrl)
    return [...pool.filter((b) => b.healthy()), ...pool.filter((b) => !b.healthy())].find(
      (b) => !b.conf.maxWsConns || (conns.get(b) ?? 0) < b.conf.maxWsConns,
    )
  }
  const wss = new WebSocketServer({ host: conf.server.wsHost, port: conf.server.wsPort })
  wss.on('connection', (client) => {
    const be = pick()
    if (!be) {
      client.close(1013, errors.noBackends.message)
      return
    }
    const upstream = new WebSocket(be.conf.wsUrl!)
    conns.set(be, (conns.get(be) ?? 0) + 1)
    metrics.activeClientWsConns.inc({ auth: 'none' })
    metrics.activeBackendWsConns.inc({ backend_name: be.name })
    const queued: string[] = []
    let closed = false
    const close = () => {
      if (closed) return
      closed = true
      conns.set(be, (conns.get(be) ?? 1) - 1)
      metrics.activeClientWsConns.dec({ auth: 'none' })
      metrics.activeBackendWsConns.dec({ backend_name: be.name })
      client.close()
      upstream.close()
    }
    upstream.on('open', () => queued.splice(0).forEach((m) => upstream.send(m)))
    upstream.on('message', (data) => client.send(data.toString()))
    upstream.on('close', close)
    upstream.on('error', (err) => {
      log.warn('backend websocket failed', { backend: be.name, err: err.message })
      close()
    })
    client.on('close', close)
    client.on('error', close)
    client.on('message', (data) => {
      const text = data.toString()
      let msg: { id?: unknown; method?: unknown }
      try {
        msg = JSON.parse(text)
      } catch {
        client.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: errors.parse.code, message: errors.parse.message } }))
        return
      }
      if (typeof msg.method !== 'string' || !whitelist.has(msg.method)) {
        const e = withMessage(errors.methodNotWhitelisted, conf.whitelistErrorMessage)
        client.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id ?? null, error: { code: e.code, message: e.message } }))
        return
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text)
      else queued.push(text)
    })
  })
  await new Promise<void>((resolve, reject) => {
    wss.once('error', reject)
    wss.once('listening', () => resolve())
  })
  return wss
}
