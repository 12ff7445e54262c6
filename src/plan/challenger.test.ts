import { describe, expect, test } from 'vitest'
import { parseChallengerFlags } from '../components/challenger/config.js'
import { defaultTopology } from '../topology/defaults.js'
import { challengerService } from './challenger.js'
import { devKeys } from './keys.js'
import { l1Deployment } from './l1Deployment.js'
import { linkRef } from './links.js'

const input = { bindHost: '127.0.0.1', port: { port: 7310, host: 7310, protocol: 'http' as const, public: true }, node: 'sequencer', url: (links: any[], to: string, port: string) => (links.push({ to, port }), `http://${linkRef(to, port)}`) }

describe('challengerService', () => {
  test('default: op-challenger flags the lite challenger parses, against the factory and the sequencer', () => {
    const topology = defaultTopology()
    const plan = challengerService(topology, input)
    expect(plan.role).toBe('challenger')
    expect(plan.links.map((l) => `${l.to}:${l.port}`)).toEqual(['l1:rpc', 'sequencer:rollup'])
    const args = plan.args.slice(1).map((a) => a.replace(/\{\{link:([^:]+):([^}]+)\}\}/, '127.0.0.1:1'))
    const cfg = parseChallengerFlags([...args, '--private-key', plan.env.OP_CHALLENGER_PRIVATE_KEY])
    expect(cfg.factory).toBe(l1Deployment(topology).addresses.DisputeGameFactoryProxy)
    expect(cfg.traceTypes).toEqual(['alphabet'])
    expect(cfg.pollMs).toBe(500)
    expect(cfg.metrics).toEqual({ enabled: true, addr: '127.0.0.1', port: 7310 })
    expect(plan.env.OP_CHALLENGER_PRIVATE_KEY).toBe(devKeys(topology).challenger.privateKey)
  })

  test('args: a FAST game type plays the fast trace type', () => {
    const topology = defaultTopology()
    topology.settlement.gameType = 254
    expect(challengerService(topology, input).args).toContain('fast')
  })
})
