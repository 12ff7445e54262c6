/**
 * Link proxies in containers, for kernels without `sch_netem` (where `tc netem` cannot delay or cap a
 * link). A lite container then runs the link proxy in front of its component, in its own network
 * namespace (`DEVNET_LINKS`, see `components/main.ts`): each link listens on 127.0.0.1:<19901 + i>
 * inside the container and dials the target by name, so partitions on the devnet's networks cut the
 * proxied connections as before, while latency, loss and bandwidth are shaped by the proxies. Their
 * admin API is published on a host port (`links-admin`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type Docker from 'dockerode'
import { rpcClient } from '../../components/shared/jsonrpc.js'
import { resolveLinks } from '../../plan/links.js'
import type { ServicePlan } from '../../plan/types.js'
import { freePort } from '../ports.js'
import type { LinkFault } from '../types.js'
import { tolerate } from './engine.js'

/** Admin port of the in-container link proxy, and the first link port. */
export const linkAdminPort = 19_900
const firstLinkPort = 19_901
/** Name of the published admin port in a proxied plan. */
export const linkAdminPortName = 'links-admin'

/**
 * The plan as a container with a link proxy runs it: placeholders point at the in-container proxies,
 * `DEVNET_LINKS` configures them, and the admin port is published on a free host port.
 */
export async function proxiedPlan(plan: ServicePlan, seed: string): Promise<ServicePlan> {
  const port = new Map(plan.links.map((link, i) => [link, firstLinkPort + i]))
  const resolved = resolveLinks(plan, (link) => ({ host: '127.0.0.1', port: port.get(link)! }))
  const links = plan.links.map((link) => ({ from: plan.name, to: link.to, port: link.port, class: link.class, target: link.target, listenPort: port.get(link)! }))
  return {
    ...resolved,
    env: { ...resolved.env, DEVNET_LINKS: JSON.stringify({ admin: { host: '0.0.0.0', port: linkAdminPort }, seed, links }) },
    ports: { ...resolved.ports, [linkAdminPortName]: { port: linkAdminPort, host: await freePort(), protocol: 'http', public: false } },
  }
}

/** Sets (or clears) `service`'s fault in one container's link proxies; returns the ids of the links it shapes there. */
export function setProxyFault(adminUrl: string, service: string, fault: LinkFault | undefined): Promise<string[]> {
  return rpcClient(adminUrl, 5_000).call<string[]>('links_setFault', [service, fault ?? null])
}

/**
 * Whether the kernel can run `tc netem`: a helper container without a network adds a netem qdisc to
 * its loopback.
 */
export async function netemAvailable(docker: Docker, image: string, labels: Record<string, string>): Promise<boolean> {
  const probe = await docker.createContainer({
    Image: image,
    Entrypoint: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'],
    User: '0:0',
    Labels: labels,
    HostConfig: { NetworkMode: 'none', CapAdd: ['NET_ADMIN'] },
  })
  try {
    await probe.start()
    const { StatusCode: code } = (await probe.wait()) as { StatusCode: number }
    return code === 0
  } finally {
    await tolerate(probe.remove({ force: true }), [404, 409])
  }
}

/**
 * {@link netemAvailable}, remembered in `cacheDir` per engine and kernel (`docker info`'s `ID` and
 * `KernelVersion`): the probe is a container's whole life (0.6-1.2 s of a docker start, measured here, before
 * any lite container could start), its answer a property of the kernel. An unreadable or unwritable cache
 * means probing.
 */
export async function netemAvailableCached(docker: Docker, image: string, labels: Record<string, string>, cacheDir: string): Promise<boolean> {
  const info = (await docker.info()) as { ID?: string; KernelVersion?: string }
  const key = `${info.ID ?? 'engine'}-${info.KernelVersion ?? 'kernel'}`.replace(/[^a-zA-Z0-9_.-]/g, '_')
  const file = join(cacheDir, `netem-${key}.json`)
  try {
    const { netem } = JSON.parse(readFileSync(file, 'utf8')) as { netem?: unknown }
    if (typeof netem === 'boolean') return netem
  } catch {
    // not probed on this engine and kernel yet
  }
  const netem = await netemAvailable(docker, image, labels)
  try {
    mkdirSync(cacheDir, { recursive: true })
    writeFileSync(file, `${JSON.stringify({ netem })}\n`)
  } catch {
    // probed again next time
  }
  return netem
}
