/**
 * What a `ServicePlan` becomes as a container, as plain data: name, entrypoint and command, env, workdir,
 * published ports, networks and aliases. Pure; `DockerService` turns it into an Engine API create call
 * and `runtime/docker/compose.ts` into a compose service, so the two cannot drift apart.
 */
import { DevnetError } from '../../errors.js'
import { cpuWeight, type LinkClass, type ServicePlan } from '../../plan/types.js'
import { dockerDefaults } from './engine.js'
import { aliasOf, linkClasses, networkName } from './networks.js'

/** One network a container joins, in join order (the first one at create time). */
export interface ContainerNetwork {
  link: LinkClass
  /** `<devnet>-<link>`. */
  name: string
  /** The container's DNS name there (`<devnet>-<service>`, `<devnet>-<service>-p2p`). */
  alias: string
  /** No route out (the p2p network). */
  internal: boolean
}

/** The container of one service. */
export interface ContainerSpec {
  /** `<devnet>-<service>`. */
  name: string
  /** `anvil`, or `node <liteEntrypoint>`. */
  entrypoint: string[]
  /** The plan's `args`. */
  command: string[]
  env: Record<string, string>
  /** `<mountRoot>/<service>`: where the service's files are bind-mounted, and the workdir. */
  workingDir: string
  /** Host address the ports are published on. */
  hostIp: string
  /** Every plan port, published on `hostIp:host` → `container/tcp` (`/udp` for a udp port), in plan order. */
  ports: { name: string; host: number; container: number; udp: boolean }[]
  /** rpc first; p2p only for services with a port named `p2p`. */
  networks: ContainerNetwork[]
  /**
   * Namespaced sysctls of the container's network namespace. `net.ipv4.ip_local_reserved_ports` holds
   * the container's own listening ports: the conductor's consensus and etcd ports (50050 and up) lie in
   * the kernel's ephemeral range (32768-60999), so an outgoing connection of the same container (a link
   * proxy's, the conductor's RPC client's) could take one of them first, and the listener then fails
   * with EADDRINUSE (seen in CI). Reserved ports are skipped when the kernel picks a local port.
   */
  sysctls: Record<string, string>
  /** Run tini as pid 1: anvil and node ignore SIGTERM as pid 1. */
  init: boolean
  /** `docker logs` storage. */
  logConfig: { type: 'json-file'; config: Record<string, string> }
  /** The container's CPU weight (`CpuShares`, `cpu_shares`) from the plan's `nice`; absent: docker's default, 1024. */
  cpuShares?: number
}

/** Whether a link class's networks are `internal` (no route out): p2p. */
export function isInternalLink(link: LinkClass): boolean {
  return link === 'p2p'
}

/** Whether a service joins the p2p network: it has a port named `p2p`. */
export function joinsP2p(plan: ServicePlan): boolean {
  return 'p2p' in plan.ports
}

/** The `uid:gid` of this process (Linux/macOS), which services run as by default; `undefined` elsewhere. */
export function hostUser(): string | undefined {
  return process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : undefined
}

/** Where a service's directory is mounted in its container (and its working directory). */
export function containerWorkingDir(service: string): string {
  return `${dockerDefaults.mountRoot}/${service}`
}

/**
 * The container of `plan` in devnet `devnet`.
 * @throws DevnetError for an unknown `program`.
 * @example
 * containerSpec(plan.services[0], 'devnet').entrypoint // ['anvil']
 */
export function containerSpec(plan: ServicePlan, devnet: string): ContainerSpec {
  const ports = Object.entries(plan.ports).map(([name, port]) => ({ name, host: port.host, container: port.port, udp: port.protocol === 'udp' }))
  return {
    name: aliasOf(devnet, plan.name, 'rpc'),
    entrypoint: entrypointOf(plan),
    command: [...plan.args],
    env: { ...plan.env },
    workingDir: containerWorkingDir(plan.name),
    hostIp: '127.0.0.1',
    ports,
    sysctls: reservedPorts(ports.map((p) => p.container)),
    networks: linkClasses
      .filter((link) => link === 'rpc' || joinsP2p(plan))
      .map((link) => ({ link, name: networkName(devnet, link), alias: aliasOf(devnet, plan.name, link), internal: isInternalLink(link) })),
    init: true,
    logConfig: { type: 'json-file', config: { 'max-size': '20m', 'max-file': '2' } },
    ...(plan.nice ? { cpuShares: cpuWeight(plan.nice) } : {}),
  }
}

/** `net.ipv4.ip_local_reserved_ports` for a container listening on `ports` (none: no sysctl). */
function reservedPorts(ports: number[]): Record<string, string> {
  const list = [...new Set(ports)].sort((a, b) => a - b)
  return list.length ? { 'net.ipv4.ip_local_reserved_ports': list.join(',') } : {}
}

function entrypointOf(plan: ServicePlan): string[] {
  switch (plan.program) {
    case 'anvil':
      return ['anvil']
    case 'lite':
      return ['node', dockerDefaults.liteEntrypoint]
    default:
      throw new DevnetError(`service "${plan.name}": unknown program ${JSON.stringify(plan.program)}`)
  }
}
