import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { afterEach, describe, expect, test } from 'vitest'
import { closeServer, rpcFail, startRpcServer } from '../components/shared/jsonrpc.js'
import { conductorService } from '../plan/conductor.js'
import { parseTopology } from '../topology/parse.js'
import { transferLeaderFault } from './conductor.js'
import { newFaultState, type FaultContext, type FaultDevnet } from './context.js'

const topology = parseTopology(readFileSync(new URL('../../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml')
const nodes = ['seq-0', 'seq-1', 'seq-2']

/**
 * Three conductors that share who leads, as their raft does. Asked to transfer, the leader hands over to
 * `next(node)`; a conductor in `losing` loses its lease just as it is asked (leadership goes to
 * `next(node)`, the request gets op-conductor's refusal), as on a loaded machine.
 */
async function cluster(leader: string, next: (node: string) => string, losing: Set<string>) {
  const asked: string[] = []
  const servers: Server[] = []
  const endpoints: Record<string, Record<string, string>> = {}
  for (const node of nodes) {
    const transfer = () => {
      asked.push(node)
      if (node === leader && losing.has(node)) leader = next(node)
      if (node !== leader) rpcFail(-32000, 'node is not the leader')
      leader = next(node)
      return null
    }
    const server = await startRpcServer({ host: '127.0.0.1', port: 0, methods: { conductor_leader: () => node === leader, conductor_transferLeader: transfer } })
    servers.push(server)
    endpoints[conductorService(node)] = { rpc: `http://127.0.0.1:${(server.address() as { port: number }).port}` }
  }
  const devnet = { topology, endpoints } as unknown as FaultDevnet
  const ctx: FaultContext = { devnet, state: newFaultState(), record: () => {} }
  return { ctx, asked, close: () => Promise.all(servers.map(closeServer)) }
}

const after = (node: string) => nodes[(nodes.indexOf(node) + 1) % nodes.length]

describe('transferLeader against conductors whose leadership moves', () => {
  let close: (() => Promise<unknown>) | undefined
  afterEach(async () => close?.())

  test('behavior: leadership moved between reading it and asking: the conductor that leads by then is asked', async () => {
    const c = await cluster('seq-0', after, new Set(['seq-0']))
    close = c.close
    const result = await transferLeaderFault.act(c.ctx, { to: '', timeoutMs: 2_000 })
    expect(c.asked).toEqual(['seq-0', 'seq-1'])
    expect(result).toMatchObject({ from: 'seq-1', to: 'seq-2' })
  })

  test('error: every leader loses its lease as it is asked: the refusal is the error once the timeout passed', async () => {
    const c = await cluster('seq-0', after, new Set(nodes))
    close = c.close
    await expect(transferLeaderFault.act(c.ctx, { to: '', timeoutMs: 300 })).rejects.toThrow(/node is not the leader/)
    expect(c.asked.length).toBeGreaterThan(2)
  })
})
