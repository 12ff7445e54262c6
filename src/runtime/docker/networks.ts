/**
 * Per-devnet networks. Every devnet gets one bridge network per link class, on /24 subnets it picks
 * itself from a private pool (so containers can get their address back after a partition heals):
 *
 * - `<devnet>-rpc`: L1 and JSON-RPC traffic; holds the published ports and the default route.
 * - `<devnet>-p2p`: libp2p gossip, `internal` (no route out). Being internal also makes Docker's DNS
 *   answer a container's name with its rpc address, so only the `-p2p` aliases lead to p2p addresses.
 *
 * Partitions add `<devnet>-<link>-g<i>` networks, one per moved group (see `partition.ts`).
 */
import { networkInterfaces } from 'node:os'
import { readFileSync } from 'node:fs'
import type Docker from 'dockerode'
import { DevnetError } from '../../errors.js'
import type { LinkClass } from '../../plan/types.js'
import { engineMessage } from './engine.js'

/** Link classes, in the order networks are created and containers attached. */
export const linkClasses: readonly LinkClass[] = ['rpc', 'p2p']

/** Name of a devnet's network of `link`, or of partition group `group`. */
export function networkName(devnet: string, link: LinkClass, group?: number): string {
  return group === undefined ? `${devnet}-${link}` : `${devnet}-${link}-g${group}`
}

/** The DNS name of a service on a link: `<devnet>-<service>` on rpc, `<devnet>-<service>-p2p` on p2p. */
export function aliasOf(devnet: string, service: string, link: LinkClass): string {
  return link === 'rpc' ? `${devnet}-${service}` : `${devnet}-${service}-p2p`
}

interface Cidr {
  base: number
  bits: number
}

function parseIp(ip: string): number | undefined {
  const parts = ip.split('.').map(Number)
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0
}

function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.')
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
}

function parseCidr(cidr: string): Cidr | undefined {
  const [ip = '', bits = ''] = cidr.split('/')
  const base = parseIp(ip)
  const n = Number(bits)
  if (base === undefined || !Number.isInteger(n) || n < 0 || n > 32) return undefined
  return { base: (base & mask(n)) >>> 0, bits: n }
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits)
  return ((a.base & mask(bits)) >>> 0) === ((b.base & mask(bits)) >>> 0)
}

/** IPv4 ranges in use: every Docker network's subnets, the host's interface networks and routes. */
async function usedRanges(docker: Docker): Promise<Cidr[]> {
  const used: Cidr[] = []
  for (const network of await docker.listNetworks()) {
    for (const config of network.IPAM?.Config ?? []) {
      const cidr = config.Subnet ? parseCidr(config.Subnet) : undefined
      if (cidr) used.push(cidr)
    }
  }
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      const cidr = address.family === 'IPv4' && address.cidr ? parseCidr(address.cidr) : undefined
      if (cidr && !address.internal) used.push(cidr)
    }
  }
  try {
    // /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (little-endian hex)
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const [, destination, , , , , , netmask] = line.trim().split(/\s+/)
      if (!destination || !netmask || netmask === '00000000') continue
      const le = (hex: string) => Buffer.from(hex, 'hex').readUInt32LE(0)
      const bits = le(netmask).toString(2).replace(/0/g, '').length
      used.push({ base: (le(destination) & mask(bits)) >>> 0, bits })
    }
  } catch {
    // not Linux, or no /proc: Docker's own list still protects its networks
  }
  return used
}

/** Whether an engine error means the subnet (or name) was taken meanwhile. */
function isConflict(error: unknown): boolean {
  return /overlap|conflict|already exists|in use/i.test(engineMessage(error))
}

export interface CreateNetworkOptions {
  name: string
  labels: Record<string, string>
  /** No route out of the network (p2p). */
  internal: boolean
  /** Private range to take a /24 from. */
  pool: string
}

/**
 * Creates a bridge network on a free /24 of `pool`, starting at a random /24 so that devnets created at
 * the same time rarely race for one; retries on the next free /24 when the engine reports an overlap.
 * @returns The subnet it got.
 */
export async function createNetwork(docker: Docker, options: CreateNetworkOptions): Promise<string> {
  const pool = parseCidr(options.pool)
  if (!pool || pool.bits > 24) throw new DevnetError(`invalid subnet pool ${JSON.stringify(options.pool)}: need an IPv4 CIDR of /24 or wider`, { code: 'DEVNET_USAGE' })
  const count = 2 ** (24 - pool.bits)
  const start = Math.floor(Math.random() * count)
  const tried = new Set<number>()
  let used = await usedRanges(docker)
  let lastError: unknown
  for (let attempt = 0; attempt < 8; attempt++) {
    let subnet: Cidr | undefined
    for (let i = 0; i < count && !subnet; i++) {
      const index = (start + i) % count
      const candidate = { base: (pool.base + index * 256) >>> 0, bits: 24 }
      if (!tried.has(index) && !used.some((range) => overlaps(range, candidate))) {
        tried.add(index)
        subnet = candidate
      }
    }
    if (!subnet) break
    const cidr = `${formatIp(subnet.base)}/24`
    try {
      await docker.createNetwork({
        Name: options.name,
        CheckDuplicate: true,
        Driver: 'bridge',
        Internal: options.internal,
        Labels: options.labels,
        IPAM: { Driver: 'default', Config: [{ Subnet: cidr, Gateway: formatIp(subnet.base + 1) }] },
      })
      return cidr
    } catch (error) {
      lastError = error
      if (/already exists/i.test(engineMessage(error))) break
      if (!isConflict(error)) break
      used = await usedRanges(docker)
    }
  }
  throw new DevnetError(`cannot create network ${options.name}: ${lastError ? engineMessage(lastError) : `no free /24 left in ${options.pool}`}`, {
    code: 'DEVNET_RUNTIME_UNAVAILABLE',
    cause: lastError,
  })
}
