/** Text rendering for the CLI: pure functions from data to lines. */
import type { FaultRecord, DevnetDescriptor, ServiceDescriptor } from '../devnet/descriptor.js'
import { isRollupNode } from '../plan/types.js'

/** Left-aligned columns separated by two spaces. */
export function table(rows: string[][], indent = ''): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd())
}

/** `Endpoints` block: one line per public port. */
export function formatEndpoints(descriptor: DevnetDescriptor): string[] {
  const rows = descriptor.services.flatMap((service) =>
    Object.entries(service.endpoints).map(([port, url], i) => [i === 0 ? service.name : '', port, url]),
  )
  return ['Endpoints', ...table(rows, '  ')]
}

/** Dev keys and funded accounts, clearly marked dev-only. */
export function formatKeys(descriptor: DevnetDescriptor): string[] {
  const roles = Object.entries(descriptor.keys).map(([role, key]) => [role, key.address, key.privateKey])
  const accounts = descriptor.accounts.map((a) => [`(${a.index})`, a.address, a.privateKey])
  return [
    'Dev keys: DEV ONLY, publicly known test keys. Never use them on a real network.',
    ...table(roles, '  '),
    `Funded accounts (10000 ETH each on L1 and L2), also DEV ONLY:`,
    ...table(accounts, '  '),
  ]
}

const num = (value: number | undefined) => (value === undefined ? '-' : String(value))
const isNode = (s: ServiceDescriptor) => isRollupNode(s.role)

/** Live heads table: per rollup node its unsafe / safe / finalized L2 numbers and L1 view; then the L1 head. */
export function formatHeads(descriptor: DevnetDescriptor): string[] {
  const rows = [['node', 'state', 'unsafe', 'safe', 'finalized', 'l1 head', 'l1 derived']]
  for (const s of descriptor.services.filter(isNode)) {
    rows.push([s.name, s.heads || s.state !== 'running' ? s.state : 'no answer', num(s.heads?.unsafe), num(s.heads?.safe), num(s.heads?.finalized), num(s.heads?.l1), num(s.heads?.currentL1)])
  }
  return [...table(rows), `L1 head: ${num(descriptor.chains.l1.head)}`]
}

/** One plain line of heads, for non-TTY output: `l1=9 sequencer=12/4/0 replica-0=12/4/0` (unsafe/safe/finalized). */
export function formatHeadsLine(descriptor: DevnetDescriptor, now = new Date()): string {
  const nodes = descriptor.services
    .filter(isNode)
    .map((s) => `${s.name}=${s.heads ? `${s.heads.unsafe}/${s.heads.safe}/${s.heads.finalized}` : s.state === 'running' ? '?' : s.state}`)
  return `[${now.toISOString().slice(11, 19)}] l1=${num(descriptor.chains.l1.head)} ${nodes.join(' ')} (unsafe/safe/finalized)`
}

/** Conductors (`l2.conductor`): each one's view of leadership, whether it is active and its sequencer healthy. */
export function formatConductors(descriptor: DevnetDescriptor): string[] {
  const conductors = descriptor.services.filter((s) => s.role === 'conductor')
  if (!conductors.length) return []
  const yn = (v: boolean | undefined) => (v === undefined ? '-' : v ? 'yes' : 'no')
  const rows = [['conductor', 'state', 'leader', 'active', 'healthy', 'paused', 'leader id']]
  for (const s of conductors) {
    const c = s.conductor
    rows.push([s.name, c || s.state !== 'running' ? s.state : 'no answer', yn(c?.leader), yn(c?.active), yn(c?.healthy), yn(c?.paused), c?.leaderId || '-'])
  }
  return ['', ...table(rows)]
}

/** `devnet status` human output. */
export function formatStatus(descriptor: DevnetDescriptor): string[] {
  const rows = [['service', 'role', 'state', 'pid', 'endpoints']]
  for (const s of descriptor.services) {
    rows.push([s.name, s.role, s.state, String(s.pid || '-'), Object.entries(s.endpoints).map(([p, u]) => `${p}=${u}`).join(' ')])
  }
  return [
    `devnet "${descriptor.name}" (${descriptor.runtime} runtime, L1 chain ${descriptor.chains.l1.chainId}, L2 chain ${descriptor.chains.l2.chainId})`,
    `state: ${descriptor.stateDir}`,
    '',
    ...table(rows),
    '',
    ...formatHeads(descriptor),
    ...formatConductors(descriptor),
    ...(descriptor.games ? [formatGames(descriptor.games)] : []),
    ...(descriptor.faults?.length ? ['', ...formatFaults(descriptor.faults)] : []),
  ]
}

/** One line about the dispute games: how many by status, and the latest. `devnet status --json` has them all. */
export function formatGames(games: NonNullable<DevnetDescriptor['games']>): string {
  if (!games.length) return 'Games: none yet'
  const counts = new Map<string, number>()
  for (const g of games) counts.set(g.status, (counts.get(g.status) ?? 0) + 1)
  const last = games[games.length - 1]!
  const byStatus = [...counts].map(([status, n]) => `${n} ${status}`).join(', ')
  return `Games: ${games.length} (${byStatus}); latest #${last.index} type ${last.type} at L2 block ${last.l2Block}: ${last.status}`
}

/** Faults injected with `devnet fault`: name, targets, arguments, when, and whether active (and what ends it). */
export function formatFaults(faults: FaultRecord[], now = Date.now()): string[] {
  if (!faults.length) return ['Faults: none']
  const ago = (t: number) => `${Math.round((now - t) / 1000)}s ago`
  const rows = [['fault', 'targets', 'args', 'injected', 'state']]
  for (const f of faults) {
    const args = Object.entries(f.args).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
    const state = !f.ended ? `active (ended by ${f.endedBy.join(' or ')})` : f.lasts === 'instant' ? 'done' : `ended ${ago(f.ended.at)} by ${f.ended.by}`
    rows.push([f.name, f.targets.join(',') || 'all', args || '-', ago(f.since), state])
  }
  return ['Faults', ...table(rows, '  ')]
}
