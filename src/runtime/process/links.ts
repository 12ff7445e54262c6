/**
 * The process runtime's link proxies: one child process (`main.js links`, `components/links`) in its own
 * process group under `<stateDir>/_links/` (pid file, `service.log`, `admin.json` with its admin port),
 * so it outlives a detached `devnet up` and `devnet down` stops it like any service. Every service's links
 * are registered there before it starts and its placeholders point at the link's proxy port.
 * A runtime created later on the same state directory (e.g. `devnet fault` from the CLI) attaches to it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rpcClient, type RpcClient } from '../../components/shared/jsonrpc.js'
import { DevnetError } from '../../errors.js'
import { resolveLinks } from '../../plan/links.js'
import type { LinkPlan, ServicePlan } from '../../plan/types.js'
import { freePort } from '../ports.js'
import type { LinkFault, LinkFaultResult, StartOptions } from '../types.js'
import { linksServiceName, readPidFile } from './group.js'

export { linksServiceName }
const adminFile = 'admin.json'

/** What the proxy reports for a link (`links_add`, `links_list`). */
export interface LinkStatus {
  id: string
  from: string
  to: string
  port: string
  class: 'p2p' | 'rpc'
  target: { host: string; port: number }
  listenPort: number
  cut: boolean
  connections: number
  resets: number
}

/** This package's component launcher, from `src|dist/runtime/process` and from the bundle in `dist/bundle` alike. */
export function defaultLinkProxyEntrypoint(): string {
  const paths = ['../../../dist/components/main.js', '../../dist/components/main.js'].map((p) => fileURLToPath(new URL(p, import.meta.url)))
  return paths.find((p) => existsSync(p)) ?? paths[0]
}

export class ProcessLinks {
  #admin?: Promise<RpcClient>

  constructor(
    readonly stateDir: string,
    /** Starts the proxy process as a service of the runtime. */
    readonly startService: (plan: ServicePlan, options: StartOptions) => Promise<unknown>,
    readonly seed: string = '0',
  ) {}

  /** Whether the proxy process answers (it was running, or the one this runtime started is ready). */
  #ready = false

  /**
   * The admin client of the proxy process: a running one of this state directory, or a new one, started
   * with `options` (its readiness timeout) by the first call.
   */
  admin(options: StartOptions = {}): Promise<RpcClient> {
    const running = this.#attach()
    if (running) this.#ready = true
    this.#admin ??= (running ? Promise.resolve(running) : this.#start(options)).then(
      (admin) => {
        this.#ready = true
        return admin
      },
      (error: unknown) => {
        this.#admin = undefined
        throw error
      },
    )
    return this.#admin
  }

  /** The admin client of an already running proxy process, if any (never starts one). */
  #attach(): RpcClient | undefined {
    const dir = join(this.stateDir, linksServiceName)
    if (readPidFile(dir) === undefined || !existsSync(join(dir, adminFile))) return undefined
    const { port } = JSON.parse(readFileSync(join(dir, adminFile), 'utf8')) as { port: number }
    return rpcClient(`http://127.0.0.1:${port}`, 5_000)
  }

  async #start(options: StartOptions): Promise<RpcClient> {
    const port = await freePort()
    await this.startService({
      name: linksServiceName,
      role: 'links',
      program: 'lite',
      args: ['links', '--admin-port', String(port), '--seed', this.seed],
      env: {},
      ports: { admin: { port, host: port, protocol: 'http', public: false } },
      files: { [adminFile]: `${JSON.stringify({ port })}\n` },
      readiness: { kind: 'rpc', port: 'admin', method: 'links_list' },
      dependsOn: [],
      links: [],
    }, options)
    return rpcClient(`http://127.0.0.1:${port}`, 5_000)
  }

  /**
   * Registers the plan's links (idempotent: a restarted service gets the same proxy ports) and substitutes
   * its placeholders. `registered` settles once the proxy listens on every link.
   *
   * While the proxy process is still starting (a devnet's start launches it beside L1), the ports are chosen
   * here, free ports as `ports: auto` takes them, and registered once the proxy answers: the service is
   * spawned without waiting for the proxy to load (about 180 ms of every start). Links to the services it
   * waits for (`waitsFor`: its launcher polls L1 through its L1 link) are registered last, so once its wait
   * is over every link of the service listens. A service started later finds the proxy ready and takes the
   * ports the proxy picks, as before. The proxy adds a service's links in order, in one call.
   */
  async resolve(plan: ServicePlan): Promise<{ plan: ServicePlan; registered: Promise<void> }> {
    const links = plan.links ?? []
    if (!links.length) return { plan, registered: Promise.resolve() }
    const spec = (link: LinkPlan, listenPort?: number) => ({ from: plan.name, to: link.to, port: link.port, class: link.class, target: link.target, ...(listenPort ? { listenPort } : {}) })
    const ports = new Map<LinkPlan, number>()
    const admin = this.admin()
    // One links_addAll per service: at 50 replicas a devnet has ~2,800 links.
    const addAll = (client: RpcClient, specs: ReturnType<typeof spec>[]) => client.call<LinkStatus[]>('links_addAll', [specs])
    if (this.#ready) {
      const statuses = await addAll(await admin, links.map((link) => spec(link)))
      links.forEach((link, i) => ports.set(link, statuses[i]!.listenPort))
      return { plan: resolveLinks(plan, (link) => ({ host: '127.0.0.1', port: ports.get(link)! })), registered: Promise.resolve() }
    }
    for (const link of links) ports.set(link, await freePort())
    const waitsFor = new Set(plan.waitsFor ?? [])
    const order = [...links.filter((l) => !waitsFor.has(l.to)), ...links.filter((l) => waitsFor.has(l.to))]
    const registered = admin.then(async (client) => {
      const statuses = await addAll(client, order.map((link) => spec(link, ports.get(link))))
      order.forEach((link, i) => {
        if (statuses[i]!.listenPort !== ports.get(link)) {
          throw new DevnetError(`link ${plan.name} > ${link.to}:${link.port}: the proxy listens on ${statuses[i]!.listenPort}, not on the port chosen for it (${ports.get(link)})`)
        }
      })
    })
    registered.catch(() => {}) // awaited by the start
    return { plan: resolveLinks(plan, (link) => ({ host: '127.0.0.1', port: ports.get(link)! })), registered }
  }

  async #running(action: string): Promise<RpcClient> {
    const admin = this.#admin ? await this.#admin : this.#attach()
    if (!admin) throw new DevnetError(`cannot ${action}: no link proxy runs in ${this.stateDir}`, { code: 'DEVNET_RUNTIME_UNAVAILABLE' })
    return admin
  }

  async partition(groups: string[][], links: 'p2p' | 'all'): Promise<string[]> {
    return (await this.#running('partition')).call<string[]>('links_partition', [groups, links])
  }

  /** Undoes `partition`; a no-op when no link proxy runs (nothing can be cut). */
  async heal(): Promise<void> {
    const admin = this.#admin ? await this.#admin : this.#attach()
    await admin?.call('links_heal')
  }

  async setFault(service: string, fault: LinkFault | undefined): Promise<LinkFaultResult> {
    const ids = await (await this.#running('set a link fault')).call<string[]>('links_setFault', [service, fault ?? null])
    return { via: 'proxy', detail: `${fault ? JSON.stringify(fault) : 'cleared'} on ${ids.length} link(s): ${ids.join(', ')}` }
  }

  /** Every link and its state. */
  async list(): Promise<LinkStatus[]> {
    return (await this.#running('list links')).call<LinkStatus[]>('links_list')
  }
}
