/**
 * proxyd's HTTP front: `POST /` JSON-RPC (single or batch) and `GET /healthz` ("OK"). Checks in
 * proxyd's order: body size (-32021 / 413), JSON (-32700 / 400), base rate limit (-32016 / 429), batch
 * size (-32014 / 413); then per call: request shape (-32600), the method mappings allow-list (-32601 /
 * 403), the method's rate limit, the cache, the backend group. A single call that fails in proxyd
 * answers with the error's HTTP status; a backend's JSON-RPC error passes through with 200.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { RpcReq, RpcRes } from './backend.js'
import type { RpcCache } from './cache.js'
import type { ProxydConfig } from './config.js'
import { errors, invalidRequest, ProxydRpcError, withMessage, type ProxydError } from './errors.js'
import type { BackendGroup } from './group.js'
import type { Metrics } from './metrics.js'
import type { Client, RateLimiter } from './rateLimit.js'

export interface Frontend {
  conf: ProxydConfig
  groups: Map<string, BackendGroup>
  metrics: Metrics
  limiter?: RateLimiter
  cache?: RpcCache
}

interface Answer {
  res: RpcRes
  http: number
  servedBy?: string
}

const errorRes = (id: unknown, e: ProxydError): Answer => ({ res: { jsonrpc: '2.0', id, error: { code: e.code, message: e.message } }, http: e.http })

/** Answers one JSON-RPC call (an element of a batch or a single request). */
export async function handleCall(f: Frontend, raw: unknown, client: Client): Promise<Answer> {
  f.metrics.rpcRequestsTotal.inc()
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return errorRes(null, invalidRequest('invalid request'))
  const req = raw as RpcReq
  const id = req.id ?? null
  if (req.jsonrpc !== '2.0') return errorRes(id, invalidRequest('invalid JSON-RPC version'))
  if (typeof req.method !== 'string' || !req.method) return errorRes(id, invalidRequest('no method specified'))
  if (!(typeof req.id === 'string' || typeof req.id === 'number')) return errorRes(id, invalidRequest('invalid ID'))
  const groupName = f.conf.methodMappings[req.method]
  const group = groupName === undefined ? undefined : f.groups.get(groupName)
  if (!group) {
    f.metrics.rpcErrorsTotal.inc({ auth: 'none', backend_name: 'proxyd', method_name: 'method_not_allowed', error_code: String(errors.methodNotWhitelisted.code) })
    return errorRes(id, withMessage(errors.methodNotWhitelisted, f.conf.whitelistErrorMessage))
  }
  if (f.limiter?.overMethod(req.method, client)) return errorRes(id, withMessage(errors.overRateLimit, f.limiter.conf.errorMessage))
  const params = Array.isArray(req.params) ? req.params : []
  const cached = f.cache?.get(req.method, params)
  if (cached !== undefined) {
    f.metrics.cacheHitsTotal.inc({ method: req.method })
    return { res: { jsonrpc: '2.0', id, result: cached }, http: 200, servedBy: 'cache' }
  }
  if (f.cache) f.metrics.cacheMissesTotal.inc({ method: req.method })
  try {
    const { res, servedBy } = await group.forward({ jsonrpc: '2.0', id, method: req.method, params: req.params })
    if (!res.error) f.cache?.put(req.method, params, res.result)
    return { res: res.error ? res : { jsonrpc: '2.0', id, result: res.result }, http: 200, servedBy }
  } catch (err) {
    return errorRes(id, err instanceof ProxydRpcError ? err.error : errors.internal)
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= max) chunks.push(c)
    })
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** The client's address: the first `X-Forwarded-For` entry, else the socket's. */
function clientOf(req: IncomingMessage): Client {
  const xff = req.headers['x-forwarded-for']
  const ip = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim() || req.socket.remoteAddress || 'unknown'
  return { ip, origin: req.headers.origin, userAgent: req.headers['user-agent'] }
}

async function handleHttp(f: Frontend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent) return
    f.metrics.httpResponseCodesTotal.inc({ status_code: String(status) })
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  }
  const fail = (e: ProxydError) => send(e.http, errorRes(null, e).res)
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK')
    return
  }
  if (req.method !== 'POST') {
    res.writeHead(405).end()
    return
  }
  const body = await readBody(req, f.conf.server.maxBodySizeBytes)
  if (body === undefined) return fail(errors.requestBodyTooLarge)
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return fail(errors.parse)
  }
  const client = clientOf(req)
  if (f.limiter?.overBase(client)) return fail(withMessage(errors.overRateLimit, f.limiter.conf.errorMessage))
  if (Array.isArray(parsed)) {
    if (!parsed.length) return fail(invalidRequest('must specify at least one batch call'))
    f.metrics.batchSize.observe(parsed.length)
    if (parsed.length > f.conf.batch.maxSize) return fail(withMessage(errors.tooManyBatchRequests, f.conf.batch.errorMessage))
    const answers = await Promise.all(parsed.map((r) => handleCall(f, r, client)))
    return send(200, answers.map((a) => a.res))
  }
  const answer = await handleCall(f, parsed, client)
  send(answer.http, answer.res, f.conf.server.enableServedByHeader && answer.servedBy ? { 'x-served-by': answer.servedBy } : {})
}

/** Starts the HTTP front on `[server] rpc_host:rpc_port`; a request over `timeout_seconds` gets -32015 / 504. */
export async function startHttp(f: Frontend): Promise<Server> {
  const server = createServer((req, res) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return
      f.metrics.httpResponseCodesTotal.inc({ status_code: String(errors.gatewayTimeout.http) })
      res.writeHead(errors.gatewayTimeout.http, { 'content-type': 'application/json' }).end(JSON.stringify(errorRes(null, errors.gatewayTimeout).res))
    }, f.conf.server.timeoutMs)
    handleHttp(f, req, res)
      .catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(errorRes(null, { ...errors.internal, message: err.message }).res))
      })
      .finally(() => clearTimeout(timer))
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(f.conf.server.rpcPort, f.conf.server.rpcHost, () => resolve())
  })
  return server
}
