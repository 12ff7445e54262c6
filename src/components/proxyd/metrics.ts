/**
 * proxyd's Prometheus metrics (namespace `proxyd_`, proxyd's metric and label names) on a registry of
 * their own, served as text on `GET /metrics` of `[metrics] host:port`.
 */
import { createServer, type Server } from 'node:http'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { sendMetrics } from '../shared/metrics.js'

export type Metrics = ReturnType<typeof createMetrics>

/** Creates proxyd's metrics on a new registry. */
export function createMetrics() {
  const registry = new Registry()
  const registers = [registry]
  const labels = <T extends string>(name: string, help: string, labelNames: T[]) => new Counter({ name: `proxyd_${name}`, help, labelNames, registers })
  const gauge = <T extends string>(name: string, help: string, labelNames: T[]) => new Gauge({ name: `proxyd_${name}`, help, labelNames, registers })
  const m = {
    registry,
    up: gauge('up', 'Set to 1 when proxyd is running.', []),
    rpcRequestsTotal: labels('rpc_requests_total', 'Count of total client RPC requests.', []),
    rpcForwardsTotal: labels('rpc_forwards_total', 'Count of total RPC requests forwarded to each backend.', ['auth', 'backend_name', 'method_name', 'source']),
    rpcErrorsTotal: labels('rpc_errors_total', 'Count of total RPC errors.', ['auth', 'backend_name', 'method_name', 'error_code']),
    rpcBackendHttpResponseCodesTotal: labels('rpc_backend_http_response_codes_total', 'Count of total backend responses by HTTP status code.', ['auth', 'backend_name', 'method_name', 'status_code', 'batched']),
    httpResponseCodesTotal: labels('http_response_codes_total', 'Count of total HTTP response codes.', ['status_code']),
    backendRequestDuration: new Histogram({
      name: 'proxyd_rpc_backend_request_duration_seconds',
      help: 'Histogram of backend response times broken down by backend and method name.',
      labelNames: ['backend_name', 'method_name', 'batched'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    unserviceableRequestsTotal: labels('unserviceable_requests_total', 'Count of total requests that were rejected due to no backends being available.', ['auth', 'request_source']),
    cacheHitsTotal: labels('cache_hits_total', 'Number of cache hits.', ['method']),
    cacheMissesTotal: labels('cache_misses_total', 'Number of cache misses.', ['method']),
    batchSize: new Histogram({ name: 'proxyd_batch_size_summary', help: 'Summary of batch sizes', buckets: [1, 5, 10, 25, 50, 100], registers }),
    activeClientWsConns: gauge('active_client_ws_conns', 'Gauge of active client WS connections.', ['auth']),
    activeBackendWsConns: gauge('active_backend_ws_conns', 'Gauge of active backend WS connections.', ['backend_name']),
    groupConsensusLatestBlock: gauge('group_consensus_latest_block', 'Consensus latest block', ['backend_group_name']),
    groupConsensusSafeBlock: gauge('group_consensus_safe_block', 'Consensus safe block', ['backend_group_name']),
    groupConsensusFinalizedBlock: gauge('group_consensus_finalized_block', 'Consensus finalized block', ['backend_group_name']),
    groupConsensusCount: gauge('group_consensus_count', 'Consensus group serving traffic count', ['backend_group_name']),
    groupConsensusFilteredCount: gauge('group_consensus_filtered_count', 'Consensus group filtered out from serving traffic count', ['backend_group_name']),
    groupConsensusTotalCount: gauge('group_consensus_total_count', 'Total count of candidates to be part of consensus group', ['backend_group_name']),
    backendLatestBlock: gauge('backend_latest_block', 'Current latest block observed per backend', ['backend_name']),
    backendSafeBlock: gauge('backend_safe_block', 'Current safe block observed per backend', ['backend_name']),
    backendFinalizedBlock: gauge('backend_finalized_block', 'Current finalized block observed per backend', ['backend_name']),
    consensusBackendBanned: gauge('consensus_backend_banned', 'Bool gauge for banned backends', ['backend_name']),
    consensusBackendInSync: gauge('consensus_backend_in_sync', 'Bool gauge for backends in sync', ['backend_name']),
    consensusBackendPeerCount: gauge('consensus_backend_peer_count', 'Peer count', ['backend_name']),
  }
  m.up.set(1)
  return m
}

/** Serves `GET /metrics` of `metrics` on host:port; resolves once listening. */
export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    sendMetrics(metrics.registry, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return server
}
