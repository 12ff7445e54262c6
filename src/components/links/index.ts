/**
 * Entry of the link proxy program (`main.js links --admin-port <n> [--admin-host <ip>] [--seed <s>]`): the runtime's per-link
 * loopback TCP proxies (`proxy.ts`), controlled over JSON-RPC on 127.0.0.1:<admin port> (in a container, on a
 * unix socket in its service directory: `DEVNET_LINKS`, see `runtime/docker/linkProxies.ts`):
 *
 * | method | params | result |
 * |---|---|---|
 * | `links_add` | `LinkSpec` | `LinkStatus` (idempotent by `<from>><to>:<port>`) |
 * | `links_addAll` | `LinkSpec[]` | `LinkStatus[]`, added in order (a service's links in one call) |
 * | `links_list` | | `LinkStatus[]` |
 * | `links_partition` | `groups: string[][]`, `links: 'p2p' \| 'all'` | the cut links |
 * | `links_heal` | | |
 * | `links_setFault` | `service`, `Fault \| null` | ids of the links it shapes |
 */
import { closeServer, rpcFail, startRpcServer } from '../shared/jsonrpc.js'
import { stopOnSignals } from '../shared/lifecycle.js'
import { logger } from '../shared/log.js'
import { LinkProxy, type Fault, type LinkSpec, type LinkStatus } from './proxy.js'

const INVALID_PARAMS = -32602

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}

function checkSpec(value: unknown, where = 'links_add'): LinkSpec {
  const s = value as Partial<LinkSpec> | null
  const ok =
    s && typeof s.from === 'string' && typeof s.to === 'string' && typeof s.port === 'string' &&
    (s.class === 'p2p' || s.class === 'rpc') && typeof s.target?.host === 'string' && Number.isInteger(s.target?.port) &&
    (s.listenPort === undefined || Number.isInteger(s.listenPort))
  if (!ok) rpcFail(INVALID_PARAMS, `${where}: expected { from, to, port, class: p2p|rpc, target: { host, port }, listenPort? }, found ${JSON.stringify(value)}`)
  return s as LinkSpec
}

function checkFault(value: unknown): Fault | undefined {
  if (value === null || value === undefined) return undefined
  const f = value as Record<string, unknown>
  for (const key of ['delayMs', 'jitterMs', 'lossPercent', 'bandwidthKbps']) {
    if (f[key] !== undefined && (typeof f[key] !== 'number' || (f[key] as number) < 0)) {
      rpcFail(INVALID_PARAMS, `links_setFault: ${key}: expected a number >= 0, found ${JSON.stringify(f[key])}`)
    }
  }
  return f as Fault
}

/** What `serveLinks` runs: the admin endpoint, the seed, and links to open at once. */
export interface LinksConfig {
  /** Where the admin JSON-RPC server listens: a TCP port, or a unix socket (`path`, in a container). */
  admin: { host: string; port: number } | { path: string }
  seed: string
  links?: LinkSpec[]
}

/**
 * Starts a link proxy with its admin JSON-RPC server; returns what stops both. Used by the standalone
 * program and, inside a container (`DEVNET_LINKS`), in front of a component (see main.ts), where it ends
 * with the component's process.
 */
export async function serveLinks(config: LinksConfig): Promise<() => Promise<void>> {
  const log = logger('links')
  const proxy = new LinkProxy(config.seed)
  const added = (status: LinkStatus): LinkStatus => {
    log.info('link', { id: status.id, listen: status.listenPort, target: `${status.target.host}:${status.target.port}` })
    return status
  }
  for (const spec of config.links ?? []) await proxy.add(spec)
  const server = await startRpcServer({
    ...('path' in config.admin ? { host: '', port: 0, path: config.admin.path } : config.admin),
    methods: {
      links_add: async ([spec]) => added(await proxy.add(checkSpec(spec))),
      // One call per service: at 50 replicas a devnet has ~2,800 links, and one request each kept the proxy
      // busy for 18 s of the start while every service's readiness waited on its last link.
      links_addAll: async ([specs]) => {
        if (!Array.isArray(specs)) rpcFail(INVALID_PARAMS, `links_addAll: expected a list of link specs, found ${JSON.stringify(specs)}`)
        const checked = specs.map((spec, i) => checkSpec(spec, `links_addAll: [${i}]`))
        const statuses: LinkStatus[] = []
        for (const spec of checked) statuses.push(added(await proxy.add(spec)))
        return statuses
      },
      links_list: () => proxy.list(),
      links_partition: ([groups, links]) => {
        if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((s) => typeof s === 'string'))) {
          rpcFail(INVALID_PARAMS, 'links_partition: groups: expected a list of lists of service names')
        }
        if (links !== 'p2p' && links !== 'all') rpcFail(INVALID_PARAMS, `links_partition: links: expected p2p or all, found ${JSON.stringify(links)}`)
        const cut = proxy.partition(groups as string[][], links)
        log.warn('partition', { groups, links, cut: cut.map((l) => l.id) })
        return cut.map((l) => l.id)
      },
      links_heal: () => {
        proxy.heal()
        log.warn('healed')
      },
      links_setFault: ([service, fault]) => {
        if (typeof service !== 'string') rpcFail(INVALID_PARAMS, 'links_setFault: service: expected a service name')
        const ids = proxy.setFault(service, checkFault(fault))
        log.warn('link fault', { service, fault: fault ?? 'cleared', links: ids })
        return ids
      },
    },
  })
  log.info('link proxy ready', { admin: 'path' in config.admin ? config.admin.path : config.admin.port, seed: proxy.seed, links: proxy.list().map((l) => `${l.id}@${l.listenPort}`) })
  return async () => {
    await proxy.close()
    await closeServer(server)
  }
}

/** The standalone program: `links --admin-port <n> [--admin-host <ip>] [--seed <s>]` (admin host default 127.0.0.1). */
export async function main(args: string[]): Promise<void> {
  const adminPort = Number(option(args, 'admin-port'))
  if (!Number.isInteger(adminPort) || adminPort <= 0) throw new Error('usage: links --admin-port <port> [--seed <seed>]')
  stopOnSignals(await serveLinks({ admin: { host: option(args, 'admin-host') ?? '127.0.0.1', port: adminPort }, seed: option(args, 'seed') ?? '0' }))
}
