/**
 * proxyd's frontend rate limits (in memory): `base_rate` requests per `base_interval` per client (taken
 * once per HTTP request) and `method_overrides` per method (per client, or shared with `global = true`),
 * fixed windows as proxyd's memory limiter. `exempt_origins` / `exempt_user_agents` (regular expressions)
 * skip every limit except global method overrides.
 */
import type { RateLimitConfig } from './config.js'

/** `limit` takes per `intervalMs` window per key. */
export class FixedWindowLimiter {
  private windows = new Map<string, { start: number; count: number }>()

  constructor(
    private readonly limit: number,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one take for `key`; false when over the limit in the current window. */
  take(key: string): boolean {
    const start = Math.floor(this.now() / this.intervalMs) * this.intervalMs
    let w = this.windows.get(key)
    if (!w || w.start !== start) {
      if (this.windows.size > 10_000) this.windows.clear()
      w = { start, count: 0 }
      this.windows.set(key, w)
    }
    return ++w.count <= this.limit
  }
}

export interface Client {
  ip: string
  origin?: string
  userAgent?: string
}

export class RateLimiter {
  private readonly base: FixedWindowLimiter | undefined
  private readonly overrides = new Map<string, { limiter: FixedWindowLimiter; global: boolean }>()
  private readonly exemptOrigins: RegExp[]
  private readonly exemptUserAgents: RegExp[]

  constructor(readonly conf: RateLimitConfig, now: () => number = Date.now) {
    this.base = conf.baseRate > 0 ? new FixedWindowLimiter(conf.baseRate, conf.baseIntervalMs, now) : undefined
    for (const [method, o] of Object.entries(conf.methodOverrides)) {
      this.overrides.set(method, { limiter: new FixedWindowLimiter(o.limit, o.intervalMs, now), global: o.global })
    }
    this.exemptOrigins = conf.exemptOrigins.map((r) => new RegExp(r))
    this.exemptUserAgents = conf.exemptUserAgents.map((r) => new RegExp(r))
  }

  private exempt(c: Client): boolean {
    return (!!c.origin && this.exemptOrigins.some((r) => r.test(c.origin!))) || (!!c.userAgent && this.exemptUserAgents.some((r) => r.test(c.userAgent!)))
  }

  /** The base limit, taken once per HTTP request; true when over it. */
  overBase(c: Client): boolean {
    if (!this.base || this.exempt(c)) return false
    return !this.base.take(c.ip)
  }

  /** The method override of `method`, if any; true when over it. */
  overMethod(method: string, c: Client): boolean {
    const o = this.overrides.get(method)
    if (!o || (!o.global && this.exempt(c))) return false
    return !o.limiter.take(o.global ? 'global' : c.ip)
  }
}
