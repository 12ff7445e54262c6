/**
 * One proxyd backend: forwards JSON-RPC requests over a keep-alive HTTP agent with proxyd's retries
 * (`max_retries`, backoff `min(2^i s + jitter, 3 s)`), its per-backend `max_rps`, response timeout and
 * size limit. Its health is proxyd's: over the last 5 minutes, the share of requests that failed on the
 * network (from 10 requests on) against `max_error_rate_threshold`, and the average latency of the answered
 * ones against `max_latency_threshold` (unhealthy) and `max_degraded_latency_threshold` (degraded). One
 * timeout among many answers leaves a backend healthy; the consensus poller bans an unhealthy one.
 */
import type { BackendConfig, ProxydConfig } from './config.js'
import { errors, ProxydRpcError } from './errors.js'
import { Http1Pool, TooLargeError as TooLargePoolError } from './http1.js'
import type { Metrics } from './metrics.js'
import { SlidingWindow } from './slidingWindow.js'

export interface RpcReq {
  jsonrpc: string
  id: unknown
  method: string
  params?: unknown
}

export interface RpcRes {
  jsonrpc: '2.0'
  id: unknown
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

/** A transport-level failure (connection refused, timeout, bad HTTP answer): the next backend is tried. */
export class BackendError extends Error {
  override name = 'BackendError'
}

/** The answer is over `max_response_size_bytes` (the backend is not at fault: no network error counted). */
class TooLargeError extends BackendError {}

/** proxyd's retry backoff for attempt `i` (0-based): `min(2^i s + 0..250 ms jitter, 3 s)`. */
export function backoffMs(i: number, random: () => number = Math.random): number {
  return Math.min(2 ** i * 1000 + Math.floor(random() * 250), 3000)
}

export class Backend {
  readonly name: string
  private readonly pool: Http1Pool
  private window = { second: 0, count: 0 }
  /** Requests sent, requests failed on the network, latency (ms) of the answered ones. */
  private readonly requests: SlidingWindow
  private readonly networkErrors: SlidingWindow
  private readonly latency: SlidingWindow
  /** Labelled metric children per method (prom-client hashes label objects on every call otherwise). */
  private readonly perMethod = new Map<string, { forwards: { inc(): void }; duration: { startTimer(): () => void }; http200: { inc(): void } }>()

  constructor(
    readonly conf: BackendConfig,
    private readonly opts: ProxydConfig['backend'],
    private readonly metrics: Metrics,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.name = conf.name
    this.pool = new Http1Pool(new URL(conf.rpcUrl), 64)
    this.requests = new SlidingWindow()
    this.networkErrors = new SlidingWindow()
    this.latency = new SlidingWindow()
  }

  /** proxyd's `ErrorRate`: failed / sent over the window, 0 until 10 requests were sent. */
  errorRate(): number {
    const sent = this.requests.sum()
    return sent >= 10 ? this.networkErrors.sum() / sent : 0
  }

  /** proxyd's `IsHealthy`: error rate and average latency under their thresholds. */
  healthy(): boolean {
    return this.errorRate() < this.opts.maxErrorRateThreshold && this.latency.avg() < this.opts.maxLatencyThresholdMs
  }

  /**
   * Why {@link healthy} says what it says, for the ban's log line: the error rate (failed / sent over the
   * window) against `max_error_rate_threshold`, the average latency against `max_latency_threshold`.
   */
  healthSummary(): string {
    const rate = this.errorRate()
    return `error rate ${rate.toFixed(2)} (${this.networkErrors.sum()} of ${this.requests.sum()} requests failed; threshold ${this.opts.maxErrorRateThreshold}), ` +
      `average latency ${Math.round(this.latency.avg())} ms (threshold ${this.opts.maxLatencyThresholdMs} ms)`
  }

  /** proxyd's `IsDegraded`: average latency at or above `max_degraded_latency_threshold`. */
  degraded(): boolean {
    return this.latency.avg() >= this.opts.maxDegradedLatencyThresholdMs
  }

  /**
   * Closes the idle kept-alive connections after a permanent failure: those to a backend that died (a
   * killed container) may never answer, and would each cost a timeout. Requests in flight keep theirs.
   */
  private dropIdleSockets(): void {
    this.pool.destroyIdle()
  }

  /** Counts one request against `max_rps`; false when the backend is over capacity this second. */
  private takeCapacity(now = Date.now()): boolean {
    if (!this.conf.maxRps) return true
    const second = Math.floor(now / 1000)
    if (this.window.second !== second) this.window = { second, count: 0 }
    return ++this.window.count <= this.conf.maxRps
  }

  /**
   * Forwards `req` with up to `max_retries` retries. A JSON-RPC error answered by the backend is
   * returned as is; over capacity throws ProxydRpcError (-32012); a permanent transport failure throws
   * BackendError and takes the backend out of service.
   */
  async forward(req: RpcReq): Promise<RpcRes> {
    if (!this.takeCapacity()) throw new ProxydRpcError(errors.backendOverCapacity)
    let last: Error | undefined
    for (let i = 0; i <= this.opts.maxRetries; i++) {
      const m = this.methodMetrics(req.method)
      m.forwards.inc()
      const end = m.duration.startTimer()
      try {
        const res = await this.post(JSON.stringify(req), req.method)
        end()
        if (res.error) this.metrics.rpcErrorsTotal.inc({ auth: 'none', backend_name: this.name, method_name: req.method, error_code: String(res.error.code) })
        return { ...res, id: req.id }
      } catch (err) {
        end()
        last = err as Error
        this.metrics.rpcErrorsTotal.inc({ auth: 'none', backend_name: this.name, method_name: req.method, error_code: 'transport' })
        if (i < this.opts.maxRetries) await this.sleep(backoffMs(i))
      }
    }
    this.dropIdleSockets()
    throw new BackendError(`permanent error forwarding ${req.method} to ${this.name}: ${last?.message}`)
  }

  private methodMetrics(method: string) {
    let m = this.perMethod.get(method)
    if (!m) {
      const { rpcForwardsTotal, backendRequestDuration, rpcBackendHttpResponseCodesTotal } = this.metrics
      m = {
        forwards: rpcForwardsTotal.labels({ auth: 'none', backend_name: this.name, method_name: method, source: 'http' }),
        duration: backendRequestDuration.labels({ backend_name: this.name, method_name: method, batched: 'false' }),
        http200: rpcBackendHttpResponseCodesTotal.labels({ auth: 'none', backend_name: this.name, method_name: method, status_code: '200', batched: 'false' }),
      }
      this.perMethod.set(method, m)
    }
    return m
  }

  /** One call for the consensus poller (no retries); a JSON-RPC error or transport failure throws. */
  async call<T = unknown>(method: string, params: unknown[]): Promise<T> {
    const res = await this.post(JSON.stringify({ jsonrpc: '2.0', id: 67, method, params }), method)
    if (res.error) throw new Error(`${method} on ${this.name}: ${res.error.message}`)
    return res.result as T
  }

  /**
   * Whether the backend answers `eth_chainId` within `timeoutMs`. Not counted in the health windows: it is
   * the start-up probe of a backend that may not be up yet (see `ConsensusPoller.start`).
   */
  async answers(timeoutMs: number): Promise<boolean> {
    try {
      const answer = await this.pool.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }), timeoutMs, this.opts.maxResponseSizeBytes)
      return answer.status === 200
    } catch {
      return false
    }
  }

  /** One HTTP request, counted in the health windows (a network failure as an error, an answer by its latency). */
  private async post(body: string, method: string): Promise<RpcRes> {
    this.requests.add(1)
    const start = Date.now()
    try {
      const res = await this.send(body, method)
      this.latency.add(Date.now() - start)
      return res
    } catch (err) {
      if (!(err instanceof TooLargeError)) this.networkErrors.add(1)
      throw err
    }
  }

  private async send(body: string, method: string): Promise<RpcRes> {
    let answer
    try {
      answer = await this.pool.post(body, this.opts.responseTimeoutMs, this.opts.maxResponseSizeBytes)
    } catch (err) {
      if (err instanceof TooLargePoolError) throw new TooLargeError(err.message)
      throw new BackendError(`${this.name}: ${(err as Error).message}`)
    }
    const status = answer.status
    if (status === 200) this.methodMetrics(method).http200.inc()
    else this.metrics.rpcBackendHttpResponseCodesTotal.inc({ auth: 'none', backend_name: this.name, method_name: method, status_code: String(status), batched: 'false' })
    let parsed: RpcRes
    try {
      parsed = JSON.parse(answer.body.toString('utf8'))
    } catch {
      throw new BackendError(`${this.name} answered HTTP ${status} with invalid JSON`)
    }
    if (!parsed || typeof parsed !== 'object' || (!('result' in parsed) && !parsed.error)) {
      throw new BackendError(`${this.name} answered HTTP ${status} without a JSON-RPC response`)
    }
    return parsed
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.pool.close()
  }
}
