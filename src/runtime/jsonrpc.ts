/**
 * The orchestrator's one JSON-RPC client (readiness waits, heads, faults, the recorder): one POST per
 * call over `node:http`, so a probe can ask for `connection: close` (docker's port proxy answers a
 * connection before the service does) and every call has a timeout.
 */
import { request } from 'node:http'
import { DevnetError } from '../errors.js'

export interface JsonRpcOptions {
  /** Give up after this long. @default 10_000 */
  timeoutMs?: number
  /** Aborts the call (e.g. a wait's overall deadline). */
  signal?: AbortSignal
  /** Close the connection after the answer instead of keeping it alive. @default false */
  close?: boolean
}

let nextId = 1

/**
 * Calls `method` on `url`; resolves with its result.
 * @throws DevnetError (`DEVNET_RPC_ERROR`) naming the method and the URL: on an error answer (its
 * message and JSON-RPC code), an HTTP error status, a closed connection, a body that
 * is not JSON-RPC, or the timeout.
 * @example
 * const status = await jsonRpc<SyncStatus>('http://127.0.0.1:7545', 'optimism_syncStatus')
 */
export function jsonRpc<T = unknown>(url: string, method: string, params: unknown[] = [], options: JsonRpcOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, signal, close = false } = options
  const fail = (message: string, extra: { details?: string; cause?: unknown } = {}) =>
    new DevnetError(`${method} on ${url} failed: ${message}`, { code: 'DEVNET_RPC_ERROR', ...extra })
  return new Promise<T>((resolve, reject) => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params })
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    if (close) headers.connection = 'close'
    const req = request(url, { method: 'POST', headers, signal, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', (error) => reject(fail(error.message, { cause: error })))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let reply: { result?: T; error?: { code?: number; message?: string } }
        try {
          reply = JSON.parse(text)
        } catch {
          const status = res.statusCode ?? 0
          return reject(fail(status >= 400 ? `HTTP ${status} ${res.statusMessage ?? ''}`.trim() : `not JSON: ${text.slice(0, 80)}`))
        }
        if (reply?.error) return reject(fail(`${reply.error.message ?? JSON.stringify(reply.error)} (code ${reply.error.code ?? 'none'})`))
        if ((res.statusCode ?? 0) >= 400) return reject(fail(`HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()))
        if (!reply || !('result' in reply)) return reject(fail('the answer has no result'))
        resolve(reply.result as T)
      })
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (error) => reject(fail(error.message, { cause: error })))
    req.end(body)
  })
}
