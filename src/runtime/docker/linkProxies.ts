/**
 * Link proxies in containers, for kernels without `sch_netem` (where `tc netem` cannot delay or cap a
 * link). A lite container then runs the link proxy in front of its component, in its own network
 * namespace (`DEVNET_LINKS`, see `components/main.ts`): each link listens on 127.0.0.1:<19901 + i>
 * inside the container and dials the target by name, so partitions on the devnet's networks cut the
 * proxied connections as before, while latency, loss and bandwidth are shaped by the proxies. Their
 * admin API listens on a unix socket in the service's bind-mounted directory (`links.sock`), which the
 * runtime reaches from the host: no published port (each cost the engine ~40 ms of CPU and a
 * `docker-proxy` process at start, 8 of a default devnet's 24).
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type Docker from 'dockerode'
import { rpcClient } from '../../components/shared/jsonrpc.js'
import { resolveLinks } from '../../plan/links.js'
import type { ServicePlan } from '../../plan/types.js'
import type { LinkFault } from '../types.js'
import { containerWorkingDir } from './container.js'
import { tolerate } from './engine.js'

/** The first port of the in-container link proxies. */
const firstLinkPort = 19_901
/** The admin socket's file name in the service's directory. */
export const linkAdminSocket = 'links.sock'

/**
 * The plan as a container with a link proxy runs it: placeholders point at the in-container proxies, and
 * `DEVNET_LINKS` configures them, with the admin API on {@link linkAdminSocket} in the mounted directory.
 */
export function proxiedPlan(plan: ServicePlan, seed: string): ServicePlan {
  const port = new Map(plan.links.map((link, i) => [link, firstLinkPort + i]))
  const resolved = resolveLinks(plan, (link) => ({ host: '127.0.0.1', port: port.get(link)! }))
  const links = plan.links.map((link) => ({ from: plan.name, to: link.to, port: link.port, class: link.class, target: link.target, listenPort: port.get(link)! }))
  const admin = { path: `${containerWorkingDir(plan.name)}/${linkAdminSocket}` }
  return { ...resolved, env: { ...resolved.env, DEVNET_LINKS: JSON.stringify({ admin, seed, links }) } }
}

/** Whether the container of `plan` runs link proxies ({@link proxiedPlan}). */
export function hasLinkProxy(plan: ServicePlan): boolean {
  return plan.env.DEVNET_LINKS !== undefined
}

/** Linux's limit on a socket path (`sun_path`, 108 bytes with its terminating zero). */
const SOCKET_PATH_MAX = 107

/**
 * Sets (or clears) `service`'s fault in the link proxies of the container whose directory on the host is
 * `serviceDir`; returns the ids of the links it shapes there. A socket path longer than Linux allows is
 * reached through an open descriptor of its directory (`/proc/self/fd/<fd>/links.sock`).
 */
export async function setProxyFault(serviceDir: string, service: string, fault: LinkFault | undefined): Promise<string[]> {
  const path = join(serviceDir, linkAdminSocket)
  const fd = Buffer.byteLength(path) > SOCKET_PATH_MAX ? openSync(serviceDir, 'r') : undefined
  const client = rpcClient(`http://${linkAdminSocket}/`, 5_000, { socketPath: fd === undefined ? path : `/proc/self/fd/${fd}/${linkAdminSocket}` })
  try {
    return await client.call<string[]>('links_setFault', [service, fault ?? null])
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
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
