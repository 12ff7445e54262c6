/**
 * Readiness through a published port. Same plans and errors as `runtime/waits.ts`, with two differences
 * that docker-proxy (the engine's userland proxy on 127.0.0.1) forces:
 *
 * - A TCP connect succeeds as soon as the port is published, before the program listens: the proxy
 *   accepts, fails to reach the container, and closes. A `port` wait therefore counts a connection as
 *   ready only if the proxy keeps it open for `holdMs`.
 * - Node 20's fetch (undici) can hang forever on such a connection (connected, then closed before the
 *   request is written): the RPC probe uses `node:http`, and every probe has its own timeout.
 */
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { DevnetError } from '../../errors.js'
import type { ReadinessPlan } from '../../plan/types.js'
import { defaults, httpOk, httpUrl, waitForProbe } from '../waits.js'
import { dockerDefaults } from './engine.js'
import { jsonRpc } from '../jsonrpc.js'

export interface ReadyOptions {
  timeoutMs: number
  /** Aborts the wait (with its reason), e.g. when the container exits. */
  signal?: AbortSignal
  /** @default defaults.pollIntervalMs */
  intervalMs?: number
  /** @default dockerDefaults.readyProbeTimeoutMs */
  probeTimeoutMs?: number
  /**
   * Settles when the program says it is ready (a lite program's `DEVNET_READY_FILE`, {@link whenFileExists}):
   * until then probes through the published port (docker-proxy, the program's socket) are
   * `defaults.signalledIntervalMs` apart, a fallback; after, `intervalMs` (`WaitOptions.ready`).
   */
  ready?: Promise<unknown>
}

/** How often {@link whenFileExists} looks (a stat of a file in the service's bind-mounted directory). */
const fileCheckMs = 10

/** How long the proxy must keep a connection open for a `port` wait to count it. */
const holdMs = 150

/** One JSON-RPC call on a fresh connection; rejects on an error response, a closed connection or `timeoutMs`. */
export function rpcProbe(url: string, method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
  return jsonRpc(url, method, params, { timeoutMs, close: true })
}

/** Connects and requires the connection to stay open for `holdMs` (the proxy closes it if nothing listens behind). */
export function portProbe(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    let held: NodeJS.Timeout | undefined
    const done = (error?: Error) => {
      clearTimeout(held)
      clearTimeout(timer)
      socket.removeAllListeners()
      socket.on('error', () => {})
      socket.destroy()
      if (error) reject(error)
      else resolve()
    }
    const timer = setTimeout(() => done(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs)
    socket.once('connect', () => (held = setTimeout(() => done(), holdMs)))
    socket.once('end', () => done(new Error('connection closed (nothing listens yet)')))
    socket.once('close', () => done(new Error('connection closed (nothing listens yet)')))
    socket.once('error', (error) => done(error))
  })
}

/**
 * Polls until `readiness` holds on the host side of the published ports.
 * @throws WaitTimeoutError after `timeoutMs`; the signal's reason when it aborts.
 * @example
 * await waitReady(plan.readiness, (port) => handle.endpoint(port), { timeoutMs: 30_000, signal })
 */
export async function waitReady(readiness: ReadinessPlan, endpointOf: (port: string) => string, options: ReadyOptions): Promise<void> {
  const { timeoutMs, signal, intervalMs = defaults.pollIntervalMs, probeTimeoutMs = dockerDefaults.readyProbeTimeoutMs } = options
  let what: string
  let probe: (timeout: number) => Promise<unknown>
  switch (readiness.kind) {
    case 'rpc': {
      const url = endpointOf(readiness.port)
      what = `${readiness.method} on ${url}`
      probe = (timeout) => rpcProbe(url, readiness.method, readiness.params ?? [], timeout)
      break
    }
    case 'port': {
      const url = new URL(endpointOf(readiness.port))
      what = `tcp://${url.hostname}:${url.port}`
      probe = (timeout) => portProbe(url.hostname, Number(url.port), timeout)
      break
    }
    case 'http': {
      const url = httpUrl(endpointOf(readiness.port), readiness.path)
      what = `GET ${url}`
      probe = (timeout) => httpOk(url, { timeoutMs: timeout })
      break
    }
    default:
      throw new DevnetError(`unknown readiness kind ${JSON.stringify((readiness as { kind: unknown }).kind)}`)
  }
  await waitForProbe(what, (probeSignal) => raceAbort(probe(probeTimeoutMs), probeSignal), {
    timeoutMs,
    intervalMs,
    ...(signal ? { signal } : {}),
    ...(options.ready ? { ready: options.ready } : {}),
  })
}

/**
 * Resolves once `path` exists, checked every {@link fileCheckMs} (a stat: it needs no inotify reaching
 * across a bind mount, as on Docker Desktop), or once `signal` aborts (the wait it served is over).
 */
export async function whenFileExists(path: string, signal: AbortSignal): Promise<void> {
  while (!existsSync(path) && !signal.aborted) await sleep(fileCheckMs, undefined, { signal }).catch(() => {})
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
