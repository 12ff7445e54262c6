import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { loadConfig, parseConfig, parseDuration, ProxydConfigError } from './config.js'
import { keyLines, lineOf, splitKey } from './tomlLines.js'

const valid = `ws_backend_group = "main"
ws_method_whitelist = ["eth_subscribe"]
[server]
rpc_host = "127.0.0.1"
rpc_port = 8080
ws_port = 8081

[metrics]
enabled = true
port = 7300

[backend]
response_timeout_seconds = 2
max_retries = 1

[backends.a]
rpc_url = "http://127.0.0.1:9545"
ws_url = "ws://127.0.0.1:9545"
consensus_skip_peer_count = true

[backends.b]
rpc_url = "$B_URL"
max_rps = 5

[backend_groups.main]
backends = ["a", "b"]
routing_strategy = "consensus_aware"
consensus_poller_interval = "500ms"
consensus_max_block_lag = 4

[backend_groups.tx]
backends = ["a"]
routing_strategy = "multicall"

[rpc_method_mappings]
eth_chainId = "main"
eth_sendRawTransaction = "tx"

[rate_limit]
base_rate = 10
base_interval = "1s"
method_overrides.eth_chainId = { limit = 2, interval = "1s", global = true }

[batch]
max_size = 5
`

describe('proxyd config', () => {
  test('default: a full config resolves with proxyd defaults and $ENV values', () => {
    const c = parseConfig(valid, 'p.toml', { B_URL: 'http://127.0.0.1:9546' })
    expect(c.backends.b.rpcUrl).toBe('http://127.0.0.1:9546')
    expect(c.backends.a.skipPeerCount).toBe(true)
    expect(c.groups.main).toMatchObject({ routingStrategy: 'consensus_aware', pollerIntervalMs: 500, maxBlockLag: 4, banPeriodMs: 300_000, minPeerCount: 3 })
    expect(c.groups.tx.routingStrategy).toBe('multicall')
    expect(c.methodMappings).toEqual({ eth_chainId: 'main', eth_sendRawTransaction: 'tx' })
    expect(c.rateLimit!.methodOverrides.eth_chainId).toEqual({ limit: 2, intervalMs: 1000, global: true })
    expect(c.backend).toMatchObject({ responseTimeoutMs: 2000, maxRetries: 1 })
    expect(c.batch.maxSize).toBe(5)
    expect(c.server).toMatchObject({ rpcPort: 8080, wsPort: 8081, timeoutMs: 15_000 })
  })

  test('args: Go durations', () => {
    expect(parseDuration('1m30s')).toBe(90_000)
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('soon')).toBeUndefined()
  })

  test('behavior: key lines follow tables, dotted and quoted keys', () => {
    expect(splitKey('a."b.c".d')).toEqual(['a', 'b.c', 'd'])
    const lines = keyLines('x = 1\n[t.u]\n# c\ny = 2\n"z.w" = 3\n')
    expect(lines.get('x')).toBe(1)
    expect(lines.get('t.u.y')).toBe(4)
    expect(lines.get('t.u.z.w')).toBe(5)
    expect(lineOf(lines, ['t', 'u', 'missing'])).toBe(2)
  })

  const bad = (text: string, env = { B_URL: 'http://x' }) => {
    try {
      parseConfig(text, 'p.toml', env)
    } catch (err) {
      expect(err).toBeInstanceOf(ProxydConfigError)
      return (err as Error).message
    }
    throw new Error('expected a config error')
  }

  test('error: malformed TOML names the file and line', () => {
    expect(bad('[server]\nrpc_port = = 1\n')).toMatch(/^p\.toml:2: malformed TOML/)
  })

  test('error: an unknown key names file, line and key path', () => {
    expect(bad(valid.replace('max_rps = 5', 'max_rps = 5\nrpc_urll = "x"'))).toMatch(/^p\.toml:24 backends\.b\.rpc_urll: unknown key/)
    expect(bad(`${valid}\n[authentication]\nsecret = "x"\n`)).toMatch(/^p\.toml:\d+ authentication: unknown key/)
  })

  test('error: a group naming a missing backend', () => {
    expect(bad(valid.replace('backends = ["a", "b"]', 'backends = ["a", "c"]'))).toMatch(/^p\.toml:26 backend_groups\.main\.backends: backend "c" is not defined/)
  })

  test('error: a mapping naming a missing group, a bad strategy, a bad type, a missing env var', () => {
    expect(bad(valid.replace('eth_chainId = "main"', 'eth_chainId = "nope"'))).toMatch(/rpc_method_mappings\.eth_chainId: backend group "nope" is not defined/)
    expect(bad(valid.replace('"multicall"', '"random"'))).toMatch(/backend_groups\.tx\.routing_strategy: expected "fallback", "consensus_aware" or "multicall"/)
    expect(bad(valid.replace('rpc_port = 8080', 'rpc_port = "8080"'))).toMatch(/^p\.toml:5 server\.rpc_port: expected a non-negative integer/)
    expect(bad(valid, {} as any)).toMatch(/backends\.b\.rpc_url: config env var \$B_URL not found/)
    expect(bad(valid.replace('max_size = 5', 'max_size = 5000'))).toMatch(/batch\.max_size: must be between 1 and 1000/)
    expect(bad(valid.replace('"500ms"', '"soon"'))).toMatch(/consensus_poller_interval: expected a duration/)
    expect(bad(valid.replace('max_retries = 1', 'max_retries = 1\nmax_error_rate_threshold = "half"'))).toMatch(/^p\.toml:15 backend\.max_error_rate_threshold: expected a non-negative number, got "half"/)
    expect(bad(valid.replace('max_retries = 1', 'max_retries = 1\nmax_latency_threshold = 10'))).toMatch(/backend\.max_latency_threshold: expected a duration/)
  })

  test('args: the health thresholds of [backend] (proxyd defaults: 10s, 5s, 0.5)', () => {
    expect(parseConfig(valid, 'p.toml', { A_URL: 'http://a', B_URL: 'http://b' }).backend).toMatchObject({ maxLatencyThresholdMs: 10_000, maxDegradedLatencyThresholdMs: 5_000, maxErrorRateThreshold: 0.5 })
    const set = valid.replace('max_retries = 1', 'max_retries = 1\nmax_latency_threshold = "2s"\nmax_degraded_latency_threshold = "500ms"\nmax_error_rate_threshold = 0.25')
    expect(parseConfig(set, 'p.toml', { A_URL: 'http://a', B_URL: 'http://b' }).backend).toMatchObject({ maxLatencyThresholdMs: 2_000, maxDegradedLatencyThresholdMs: 500, maxErrorRateThreshold: 0.25 })
  })

  test('error: missing or empty required parts', () => {
    const minimal = '[server]\nrpc_port = 1\n[backends.a]\nrpc_url = "http://a"\n[backend_groups.g]\nbackends = ["a"]\n'
    expect(parseConfig(minimal, 'p.toml').groups.g.routingStrategy).toBe('fallback')
    expect(bad(minimal.replace('rpc_url = "http://a"', 'max_rps = 1'))).toMatch(/^p\.toml:3 backends\.a: missing rpc_url/)
    expect(bad('[server]\nrpc_port = 1\n')).toMatch(/backends: at least one backend must be defined/)
    expect(bad(minimal.replace(/\[backend_groups[^]*/, ''))).toMatch(/backend_groups: at least one backend group must be defined/)
    expect(bad(minimal.replace('backends = ["a"]', 'backends = []'))).toMatch(/^p\.toml:6 backend_groups\.g\.backends: a backend group needs at least one backend/)
    expect(bad(minimal.replace('rpc_port = 1', 'rpc_host = "x"'))).toMatch(/server\.rpc_port: missing rpc_port/)
    expect(bad(minimal.replace('rpc_port = 1', 'rpc_port = 1\nws_port = 2'))).toMatch(/^p\.toml:3 server\.ws_port: ws_port is set but no ws_backend_group/)
    expect(bad(`ws_backend_group = "nope"\n${minimal}`)).toMatch(/^p\.toml:1 ws_backend_group: backend group "nope" is not defined/)
    expect(bad(`${minimal}[rate_limit]\nmethod_overrides.eth_call = { interval = "1s" }\n`)).toMatch(/rate_limit\.method_overrides\.eth_call: missing limit/)
    expect(bad(`${minimal}[rate_limit]\nmethod_overrides.eth_call = { limit = 1, burst = 2 }\n`)).toMatch(/^p\.toml:8 rate_limit\.method_overrides\.eth_call\.burst: unknown key/)
    expect(bad('backends = 3\n[server]\nrpc_port = 1\n')).toMatch(/^p\.toml:1 backends: expected a table, got 3/)
    expect(bad(minimal.replace('[backends.a]', '[backendz.a]'))).toMatch(/^p\.toml:3 backendz: unknown key/)
  })

  test('error: an unreadable file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxyd-config-'))
    try {
      expect(() => loadConfig(join(dir, 'missing.toml'))).toThrow(/missing\.toml: cannot read the config/)
      writeFileSync(join(dir, 'ok.toml'), valid)
      expect(loadConfig(join(dir, 'ok.toml'), { B_URL: 'http://b' }).file).toBe(join(dir, 'ok.toml'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
