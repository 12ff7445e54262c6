/**
 * proxyd's own TOML configuration, parsed with smol-toml and validated in layers: known keys only (an
 * unsupported key is an error naming the file, line and key path, never ignored), value types, then
 * cross references (a group naming a missing backend, a mapping naming a missing group). `$NAME` values
 * of backend URLs are read from the environment, as proxyd does.
 */
import { readFileSync } from 'node:fs'
import { parse, TomlError } from 'smol-toml'
import { keyLines, lineOf } from './tomlLines.js'

export type RoutingStrategy = 'fallback' | 'consensus_aware' | 'multicall'

export interface BackendConfig {
  name: string
  rpcUrl: string
  wsUrl?: string
  /** Requests per second this backend takes (0 = unlimited); over it the next backend is tried. */
  maxRps: number
  maxWsConns: number
  skipPeerCount: boolean
  skipIsSyncingCheck: boolean
  forcedCandidate: boolean
}

export interface GroupConfig {
  name: string
  backends: string[]
  routingStrategy: RoutingStrategy
  pollerIntervalMs: number
  banPeriodMs: number
  maxUpdateThresholdMs: number
  maxBlockLag: number
  minPeerCount: number
}

export interface MethodOverride {
  limit: number
  intervalMs: number
  /** One limit shared by all clients instead of one per client. */
  global: boolean
}

export interface RateLimitConfig {
  baseRate: number
  baseIntervalMs: number
  exemptOrigins: string[]
  exemptUserAgents: string[]
  errorMessage: string
  methodOverrides: Record<string, MethodOverride>
}

/** The resolved configuration the rest of proxyd trusts. */
export interface ProxydConfig {
  file: string
  server: {
    rpcHost: string
    rpcPort: number
    wsHost: string
    wsPort: number
    maxBodySizeBytes: number
    timeoutMs: number
    enableServedByHeader: boolean
  }
  metrics: { enabled: boolean; host: string; port: number }
  backend: {
    responseTimeoutMs: number
    maxResponseSizeBytes: number
    maxRetries: number
    /** `out_of_service_seconds`: read, as proxyd reads it; current proxyd takes no backend out of service with it. */
    outOfServiceMs: number
    /** Unhealthy at or above this average latency of successful requests (5-minute window). */
    maxLatencyThresholdMs: number
    /** Degraded (tried after the healthy ones) at or above this average latency. */
    maxDegradedLatencyThresholdMs: number
    /** Unhealthy at or above this share of failed requests (5-minute window, from 10 requests on). */
    maxErrorRateThreshold: number
  }
  backends: Record<string, BackendConfig>
  groups: Record<string, GroupConfig>
  /** method -> backend group: the allow-list. */
  methodMappings: Record<string, string>
  wsBackendGroup?: string
  wsMethodWhitelist: string[]
  whitelistErrorMessage?: string
  rateLimit?: RateLimitConfig
  cache: { enabled: boolean; ttlMs: number }
  batch: { maxSize: number; errorMessage?: string }
}

/** Every default, in one place (proxyd's where it has one). */
export const defaults = {
  /** @default 10 MiB */ maxBodySizeBytes: 10 * 1024 * 1024,
  /** @default 15 s */ serverTimeoutSeconds: 15,
  /** @default 5 s */ responseTimeoutSeconds: 5,
  /** @default 0 (one attempt per backend) */ maxRetries: 0,
  /** @default 10 s */ outOfServiceSeconds: 10,
  /** @default "10s" */ maxLatencyThreshold: '10s',
  /** @default "5s" */ maxDegradedLatencyThreshold: '5s',
  /** @default 0.5 */ maxErrorRateThreshold: 0.5,
  /** @default "1s" */ pollerInterval: '1s',
  /** @default "5m" */ banPeriod: '5m',
  /** @default "30s" */ maxUpdateThreshold: '30s',
  /** @default 8 */ maxBlockLag: 8,
  /** @default 3 */ minPeerCount: 3,
  /** @default 100 */ batchMaxSize: 100,
  /** @default 1000 */ batchMaxSizeCap: 1000,
  /** @default "1h" */ cacheTtl: '1h',
  /** @default "over rate limit" */ rateLimitMessage: 'over rate limit',
} as const

export class ProxydConfigError extends Error {
  override name = 'ProxydConfigError'
}

type Kind = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'strings' | 'table'
type Schema = Record<string, Kind>

const schemas: Record<string, Schema> = {
  root: {
    server: 'table', metrics: 'table', backend: 'table', backends: 'table', backend_groups: 'table',
    rpc_method_mappings: 'table', rate_limit: 'table', cache: 'table', batch: 'table',
    ws_backend_group: 'string', ws_method_whitelist: 'strings', whitelist_error_message: 'string',
  },
  server: {
    rpc_host: 'string', rpc_port: 'int', ws_host: 'string', ws_port: 'int', max_body_size_bytes: 'int',
    timeout_seconds: 'int', enable_served_by_header: 'bool',
  },
  metrics: { enabled: 'bool', host: 'string', port: 'int' },
  backend: {
    response_timeout_seconds: 'int', max_response_size_bytes: 'int', max_retries: 'int', out_of_service_seconds: 'int',
    max_latency_threshold: 'duration', max_degraded_latency_threshold: 'duration', max_error_rate_threshold: 'float',
  },
  backendEntry: {
    rpc_url: 'string', ws_url: 'string', max_rps: 'int', max_ws_conns: 'int', consensus_skip_peer_count: 'bool',
    skip_is_syncing_check: 'bool', consensus_forced_candidate: 'bool',
  },
  group: {
    backends: 'strings', routing_strategy: 'string', consensus_poller_interval: 'duration', consensus_ban_period: 'duration',
    consensus_max_update_threshold: 'duration', consensus_max_block_lag: 'int', consensus_min_peer_count: 'int',
  },
  rate_limit: {
    base_rate: 'int', base_interval: 'duration', exempt_origins: 'strings', exempt_user_agents: 'strings',
    error_message: 'string', method_overrides: 'table',
  },
  override: { limit: 'int', interval: 'duration', global: 'bool' },
  cache: { enabled: 'bool', ttl: 'duration' },
  batch: { max_size: 'int', error_message: 'string' },
}

/** Parses a Go duration string (`500ms`, `1s`, `1m30s`, `5m`, `1h`) into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y
  let total = 0
  let pos = 0
  if (text === '0') return 0
  while (pos < text.length) {
    re.lastIndex = pos
    const m = re.exec(text)
    if (!m) return undefined
    total += Number(m[1]) * units[m[2]]
    pos = re.lastIndex
  }
  return pos > 0 ? total : undefined
}

/** Reads and validates a proxyd TOML file. @throws ProxydConfigError naming the file, line and key. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): ProxydConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ProxydConfigError(`${file}: cannot read the config: ${(err as Error).message}`)
  }
  return parseConfig(text, file, env)
}

/** Validates proxyd TOML `text` (named `file` in errors). @throws ProxydConfigError */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ProxydConfig {
  let raw: Record<string, unknown>
  try {
    raw = parse(text) as Record<string, unknown>
  } catch (err) {
    if (err instanceof TomlError) throw new ProxydConfigError(`${file}:${err.line}: malformed TOML: ${err.message.split('\n')[0]}`)
    throw new ProxydConfigError(`${file}: malformed TOML: ${(err as Error).message}`)
  }
  const lines = keyLines(text)
  const fail = (path: string[], msg: string): never => {
    const line = lineOf(lines, path)
    throw new ProxydConfigError(`${file}${line ? `:${line}` : ''} ${path.join('.')}: ${msg}`)
  }
  const check = (obj: unknown, schema: Schema, path: string[]): Record<string, any> => {
    if (obj === undefined) return {}
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) fail(path, 'expected a table')
    for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
      const kind = schema[key]
      const at = [...path, key]
      if (!kind) fail(at, `unknown key (supported here: ${Object.keys(schema).join(', ')})`)
      const ok =
        kind === 'string' ? typeof value === 'string'
        : kind === 'int' ? Number.isInteger(value) && (value as number) >= 0
        : kind === 'float' ? typeof value === 'number' && Number.isFinite(value) && value >= 0
        : kind === 'bool' ? typeof value === 'boolean'
        : kind === 'duration' ? typeof value === 'string' && parseDuration(value) !== undefined
        : kind === 'strings' ? Array.isArray(value) && value.every((v) => typeof v === 'string')
        : typeof value === 'object' && value !== null && !Array.isArray(value)
      if (!ok) {
        const expected = { string: 'a string', int: 'a non-negative integer', float: 'a non-negative number', bool: 'true or false', duration: 'a duration string such as "1s" or "5m"', strings: 'an array of strings', table: 'a table' }[kind]
        fail(at, `expected ${expected}, got ${JSON.stringify(value)}`)
      }
    }
    return obj as Record<string, any>
  }
  const fromEnv = (value: string, path: string[]): string => {
    if (value.startsWith('$')) {
      const v = env[value.slice(1)]
      if (!v) fail(path, `config env var ${value} not found`)
      return v as string
    }
    return value.startsWith('\\') ? value.slice(1) : value
  }
  const dur = (v: string | undefined, d: string) => parseDuration(v ?? d) as number

  const root = check(raw, schemas.root, [])
  const server = check(root.server, schemas.server, ['server'])
  const metrics = check(root.metrics, schemas.metrics, ['metrics'])
  const backend = check(root.backend, schemas.backend, ['backend'])
  const cache = check(root.cache, schemas.cache, ['cache'])
  const batch = check(root.batch, schemas.batch, ['batch'])

  const backends: Record<string, BackendConfig> = {}
  for (const [name, entry] of Object.entries(root.backends ?? {})) {
    const b = check(entry, schemas.backendEntry, ['backends', name])
    if (b.rpc_url === undefined) fail(['backends', name], 'missing rpc_url')
    backends[name] = {
      name,
      rpcUrl: fromEnv(b.rpc_url, ['backends', name, 'rpc_url']),
      wsUrl: b.ws_url === undefined ? undefined : fromEnv(b.ws_url, ['backends', name, 'ws_url']),
      maxRps: b.max_rps ?? 0,
      maxWsConns: b.max_ws_conns ?? 0,
      skipPeerCount: b.consensus_skip_peer_count ?? false,
      skipIsSyncingCheck: b.skip_is_syncing_check ?? false,
      forcedCandidate: b.consensus_forced_candidate ?? false,
    }
  }
  if (!Object.keys(backends).length) fail(['backends'], 'at least one backend must be defined')

  const groups: Record<string, GroupConfig> = {}
  for (const [name, entry] of Object.entries(root.backend_groups ?? {})) {
    const g = check(entry, schemas.group, ['backend_groups', name])
    const members: string[] = g.backends ?? []
    if (!members.length) fail(['backend_groups', name, 'backends'], 'a backend group needs at least one backend')
    for (const m of members) if (!backends[m]) fail(['backend_groups', name, 'backends'], `backend "${m}" is not defined in [backends] (defined: ${Object.keys(backends).join(', ')})`)
    const strategy = g.routing_strategy ?? 'fallback'
    if (!['fallback', 'consensus_aware', 'multicall'].includes(strategy)) {
      fail(['backend_groups', name, 'routing_strategy'], `expected "fallback", "consensus_aware" or "multicall", got "${strategy}"`)
    }
    groups[name] = {
      name,
      backends: members,
      routingStrategy: strategy as RoutingStrategy,
      pollerIntervalMs: dur(g.consensus_poller_interval, defaults.pollerInterval),
      banPeriodMs: dur(g.consensus_ban_period, defaults.banPeriod),
      maxUpdateThresholdMs: dur(g.consensus_max_update_threshold, defaults.maxUpdateThreshold),
      maxBlockLag: g.consensus_max_block_lag ?? defaults.maxBlockLag,
      minPeerCount: g.consensus_min_peer_count ?? defaults.minPeerCount,
    }
  }
  if (!Object.keys(groups).length) fail(['backend_groups'], 'at least one backend group must be defined')

  const methodMappings: Record<string, string> = {}
  for (const [method, group] of Object.entries(root.rpc_method_mappings ?? {})) {
    if (typeof group !== 'string') fail(['rpc_method_mappings', method], `expected a backend group name, got ${JSON.stringify(group)}`)
    if (!groups[group as string]) fail(['rpc_method_mappings', method], `backend group "${group}" is not defined in [backend_groups]`)
    methodMappings[method] = group as string
  }
  if (root.ws_backend_group !== undefined && !groups[root.ws_backend_group]) fail(['ws_backend_group'], `backend group "${root.ws_backend_group}" is not defined in [backend_groups]`)

  let rateLimit: RateLimitConfig | undefined
  if (root.rate_limit !== undefined) {
    const r = check(root.rate_limit, schemas.rate_limit, ['rate_limit'])
    const methodOverrides: Record<string, MethodOverride> = {}
    for (const [method, o] of Object.entries(r.method_overrides ?? {})) {
      const path = ['rate_limit', 'method_overrides', method]
      const ov = check(o, schemas.override, path)
      if (ov.limit === undefined) fail(path, 'missing limit')
      methodOverrides[method] = { limit: ov.limit, intervalMs: dur(ov.interval, '1s'), global: ov.global ?? false }
    }
    rateLimit = {
      baseRate: r.base_rate ?? 0,
      baseIntervalMs: dur(r.base_interval, '1s'),
      exemptOrigins: r.exempt_origins ?? [],
      exemptUserAgents: r.exempt_user_agents ?? [],
      errorMessage: r.error_message ?? defaults.rateLimitMessage,
      methodOverrides,
    }
  }
  const maxSize = batch.max_size ?? defaults.batchMaxSize
  if (maxSize > defaults.batchMaxSizeCap || maxSize < 1) fail(['batch', 'max_size'], `must be between 1 and ${defaults.batchMaxSizeCap}, got ${maxSize}`)
  if (server.rpc_port === undefined) fail(['server', 'rpc_port'], 'missing rpc_port')
  if (server.ws_port && root.ws_backend_group === undefined) fail(['server', 'ws_port'], 'ws_port is set but no ws_backend_group is configured')

  return {
    file,
    server: {
      rpcHost: server.rpc_host ?? '127.0.0.1',
      rpcPort: server.rpc_port,
      wsHost: server.ws_host ?? '127.0.0.1',
      wsPort: server.ws_port ?? 0,
      maxBodySizeBytes: server.max_body_size_bytes || defaults.maxBodySizeBytes,
      timeoutMs: (server.timeout_seconds || defaults.serverTimeoutSeconds) * 1000,
      enableServedByHeader: server.enable_served_by_header ?? false,
    },
    metrics: { enabled: metrics.enabled ?? false, host: metrics.host ?? '127.0.0.1', port: metrics.port ?? 0 },
    backend: {
      responseTimeoutMs: (backend.response_timeout_seconds || defaults.responseTimeoutSeconds) * 1000,
      maxResponseSizeBytes: backend.max_response_size_bytes || Number.MAX_SAFE_INTEGER,
      maxRetries: backend.max_retries ?? defaults.maxRetries,
      outOfServiceMs: (backend.out_of_service_seconds ?? defaults.outOfServiceSeconds) * 1000,
      maxLatencyThresholdMs: dur(backend.max_latency_threshold, defaults.maxLatencyThreshold),
      maxDegradedLatencyThresholdMs: dur(backend.max_degraded_latency_threshold, defaults.maxDegradedLatencyThreshold),
      maxErrorRateThreshold: backend.max_error_rate_threshold ?? defaults.maxErrorRateThreshold,
    },
    backends,
    groups,
    methodMappings,
    wsBackendGroup: root.ws_backend_group,
    wsMethodWhitelist: root.ws_method_whitelist ?? [],
    whitelistErrorMessage: root.whitelist_error_message,
    rateLimit,
    cache: { enabled: cache.enabled ?? false, ttlMs: dur(cache.ttl, defaults.cacheTtl) },
    batch: { maxSize, errorMessage: batch.error_message },
  }
}
