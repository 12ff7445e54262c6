/** Address helpers of the libp2p host: IP of a multiaddr, CIDR normalisation, `/p2p/<id>` suffixes. */
import { isIP } from 'node:net'
import type { Multiaddr } from '@multiformats/multiaddr'

export function ipOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

/** `net/bits` with the bits as a plain number; throws on anything else. */
export function normalizeCidr(cidr: string): string {
  const [net = '', bits = '', extra] = cidr.split('/')
  const max = isIP(net) === 6 ? 128 : isIP(net) === 4 ? 32 : -1
  if (extra !== undefined || !/^\d+$/.test(bits) || Number(bits) > max) throw new Error(`invalid CIDR: ${cidr}`)
  return `${net}/${Number(bits)}`
}

export function withPeerSuffix(addr: string, id: string): string {
  return addr.includes('/p2p/') ? addr : `${addr}/p2p/${id}`
}
