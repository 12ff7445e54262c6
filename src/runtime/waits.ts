/**
 * Composable readiness waits (testcontainers `wait-strategies/` style): poll until a JSON-RPC method
 * answers or a TCP port accepts connections. Every wait rejects early when its `signal` aborts (e.g. the
 * process exited before it was ready) and with a `WaitTimeoutError` when time runs out.
 */
import { request } from 'node:http'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { DevnetError } from '../errors.js'
import type { ReadinessPlan } from '../plan/types.js'
import { jsonRpc } from './jsonrpc.js'

/** Every runtime default, in one place. */
export const defaults = {
  /**
   * How long a service may take to become ready.
   * @default 30_000
   */
  readyTimeoutMs: 30_000,
  /**
   * Pause between two readiness probes.
   * @default 50
   */
  pollIntervalMs: 50,
  /**
   * Pause between two readiness probes of a service that will say when it is ready (`WaitOptions.ready`):
   * a fallback in case it never does.
   * @default 500
   */
  signalledIntervalMs: 500,
  /**
   * How long `stop()` waits after SIGTERM before sending SIGKILL.
   * @default 3_000
   */
  stopGraceMs: 3_000,
}

export interface WaitOptions {
  /** Give up after this many ms. @default defaults.readyTimeoutMs */
  timeoutMs?: number
  /** Pause between probes. @default defaults.pollIntervalMs */
  intervalMs?: number
  /** Reject as soon as this aborts (with its `reason`). */
  signal?: AbortSignal
  /**
   * Settles when the service says it is ready (a lite program on the process runtime): the next probe is
   * made at once. Until then probes are `signalledIntervalMs` apart, as a fallback; after it, `intervalMs`.
   */
  ready?: Promise<unknown>
}

/** A wait ran out of time; `lastError` is the last probe's failure. */
export class WaitTimeoutError extends DevnetError {
  override name = 'WaitTimeoutError'
  constructor(what: string, timeoutMs: number, lastError?: unknown) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, {
      code: 'DEVNET_SERVICE_TIMEOUT',
      details: lastError === undefined ? undefined : describe(lastError),
      cause: lastError,
    })
  }
}

/** An error's message plus its cause's code or message (`fetch failed (ECONNREFUSED)`). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause as { code?: string; message?: string } | undefined
  const why = cause?.code ?? cause?.message
  return why ? `${error.message} (${why})` : error.message
}

/**
 * Runs `probe` every `intervalMs` until it resolves (with `ready`, see `WaitOptions`). Each probe gets a
 * signal that aborts when the deadline passes or the caller's signal aborts, so a hung probe (a paused
 * process) cannot outlive the wait. Every wait of both runtimes goes through it (the docker runtime with
 * its own probes, `docker/readiness.ts`).
 * @throws WaitTimeoutError naming `what` and the last probe's failure; the caller's signal's reason.
 */
export async function waitForProbe<T>(what: string, probe: (signal: AbortSignal) => Promise<T>, options: WaitOptions): Promise<T> {
  const { timeoutMs = defaults.readyTimeoutMs, intervalMs = defaults.pollIntervalMs, signal } = options
  let saidReady: AbortSignal | undefined
  if (options.ready) {
    const said = new AbortController()
    options.ready.then(() => said.abort(), () => said.abort())
    saidReady = said.signal
  }
  const deadline = AbortSignal.timeout(timeoutMs)
  const both = signal ? AbortSignal.any([signal, deadline]) : deadline
  let lastError: unknown
  for (;;) {
    signal?.throwIfAborted()
    if (deadline.aborted) throw new WaitTimeoutError(what, timeoutMs, lastError)
    try {
      return await probe(both)
    } catch (error) {
      if (!deadline.aborted && !signal?.aborted) lastError = error
    }
    signal?.throwIfAborted()
    if (deadline.aborted) throw new WaitTimeoutError(what, timeoutMs, lastError)
    // Until the service said it is ready, the slow fallback pace, cut short when it says so.
    const waiting = saidReady !== undefined && !saidReady.aborted
    await sleep(waiting ? defaults.signalledIntervalMs : intervalMs, undefined, { signal: waiting ? AbortSignal.any([both, saidReady!]) : both }).catch(() => {})
  }
}

/**
 * Waits until a JSON-RPC `method` on `url` returns a result (not an error).
 * @returns The method's result.
 * @example
 * await waitForRpc('http://127.0.0.1:8545', 'eth_chainId', [], { timeoutMs: 5_000 })
 */
export function waitForRpc(url: string, method: string, params: unknown[] = [], options: WaitOptions = {}): Promise<unknown> {
  return waitForProbe(`${method} on ${url}`, (signal) => jsonRpc(url, method, params, { signal }), options)
}

/**
 * Waits until `host:port` accepts a TCP connection.
 * @example
 * await waitForPort('127.0.0.1', 9222)
 */
export function waitForPort(host: string, port: number, options: WaitOptions = {}): Promise<void> {
  return waitForProbe(`tcp://${host}:${port}`, (signal) => new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port })
    const done = (error?: Error) => {
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      if (error) reject(error)
      else resolve()
    }
    const onAbort = () => done(new Error('aborted'))
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => done())
    socket.once('error', done)
  }), options)
}

/**
 * One `GET url`; resolves on a 2xx answer (its body read), rejects on another status, a closed connection
 * or `timeoutMs`. The connection is closed after the answer.
 * @example
 * await httpOk('http://127.0.0.1:8080/healthz', { timeoutMs: 1_000 })
 */
export function httpOk(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { timeoutMs, signal } = options
    const req = request(url, { method: 'GET', headers: { connection: 'close' }, timeout: timeoutMs, ...(signal ? { signal } : {}) }, (res) => {
      res.resume()
      res.on('error', reject)
      res.on('end', () => {
        const status = res.statusCode ?? 0
        if (status >= 200 && status < 300) resolve()
        else reject(new Error(`GET ${url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim()))
      })
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/**
 * Waits until `GET <url>` answers 2xx.
 * @example
 * await waitForHttp('http://127.0.0.1:8080/healthz')
 */
export function waitForHttp(url: string, options: WaitOptions = {}): Promise<void> {
  return waitForProbe(`GET ${url}`, (signal) => httpOk(url, { timeoutMs: defaults.readyTimeoutMs, signal }), options)
}

/**
 * Waits for a service's `ReadinessPlan`.
 * @param endpointOf Maps a named port to its URL (`http://127.0.0.1:8545`, `tcp://127.0.0.1:9222`).
 * @example
 * await waitFor(plan.readiness, (port) => handle.endpoint(port), { signal })
 */
export async function waitFor(readiness: ReadinessPlan, endpointOf: (port: string) => string, options: WaitOptions = {}): Promise<void> {
  switch (readiness.kind) {
    case 'rpc':
      await waitForRpc(endpointOf(readiness.port), readiness.method, readiness.params ?? [], options)
      return
    case 'port': {
      const url = new URL(endpointOf(readiness.port))
      await waitForPort(url.hostname, Number(url.port), options)
      return
    }
    case 'http':
      await waitForHttp(httpUrl(endpointOf(readiness.port), readiness.path), options)
      return
    default:
      throw new DevnetError(`unknown readiness kind ${JSON.stringify((readiness as { kind: unknown }).kind)}`)
  }
}

/** `path` on the endpoint `base` (`http://127.0.0.1:8080`). */
export function httpUrl(base: string, path: string): string {
  return new URL(path, base).toString()
}
