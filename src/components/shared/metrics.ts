/**
 * Prometheus metrics of the lite OP Stack services, as op-service lays them out: a registry per process,
 * `<ns>_info{version}` and `<ns>_up`, the txmgr counters (`<ns>_txmgr_publish_total`,
 * `<ns>_txmgr_confirm_total{status}`), and `GET /metrics` answered from a registry.
 */
import type { ServerResponse } from 'node:http'
import { Counter, Gauge, Registry } from 'prom-client'

/** A registry with op-service's `info` and `up` gauges and the txmgr counters under namespace `ns`. */
export function serviceMetrics(ns: string, version: string) {
  const registry = new Registry()
  const registers = [registry]
  const info = new Gauge({ name: `${ns}_info`, help: 'Pseudo-metric tracking version and config info', labelNames: ['version'], registers })
  const up = new Gauge({ name: `${ns}_up`, help: '1 if the service has finished starting up', registers })
  info.labels(version).set(1)
  return {
    registry,
    up,
    txPublished: new Counter({ name: `${ns}_txmgr_publish_total`, help: 'Count of tx publish', registers }),
    txConfirmed: new Counter({ name: `${ns}_txmgr_confirm_total`, help: 'Count of tx confirm', labelNames: ['status'], registers }),
  }
}

/** Answers a `GET /metrics` with the registry's text exposition. */
export function sendMetrics(registry: Registry, res: ServerResponse): void {
  registry.metrics().then(
    (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
    (err: Error) => res.writeHead(500).end(err.message),
  )
}
