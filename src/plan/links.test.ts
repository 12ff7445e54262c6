import { describe, expect, test } from 'vitest'
import { defaultTopology } from '../topology/index.js'
import { linkMultiaddrRef, linkRef, resolveLinks } from './links.js'
import { planDevnet } from './plan.js'
import type { ServicePlan } from './types.js'

const genesisTime = 1_700_000_000

describe('links', () => {
  test('default: every address a service dials is a placeholder of a declared link', () => {
    const plan = planDevnet(defaultTopology(), { runtime: 'process', genesisTime })
    for (const service of plan.services) {
      const text = JSON.stringify([service.args, service.env, service.files])
      expect(text, service.name).not.toMatch(/127\.0\.0\.1:\d+|\/ip4\/127\.0\.0\.1\/tcp/)
      const used = [...text.matchAll(/\{\{link(?:-multiaddr)?:([^:}]+):([^:}]+)\}\}/g)].map((m) => `${m[1]}:${m[2]}`)
      expect(new Set(used), service.name).toEqual(new Set(service.links.map((l) => `${l.to}:${l.port}`)))
    }
    const replica = plan.services.find((s) => s.name === 'replica-0')!
    expect(replica.links).toEqual([
      { to: 'l1', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port: 8545 } },
      { to: 'sequencer', port: 'p2p', class: 'p2p', target: { host: '127.0.0.1', port: 9222 } },
      { to: 'bootnode', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port: 7540 } },
      { to: 'sequencer', port: 'el', class: 'rpc', target: { host: '127.0.0.1', port: 9545 } },
    ])
  })

  test('args: runtime docker targets the services by name, p2p by its alias', () => {
    const t = defaultTopology()
    t.name = 'demo'
    const replica = planDevnet(t, { runtime: 'docker', genesisTime }).services.find((s) => s.name === 'replica-0')!
    expect(replica.links.find((l) => l.port === 'p2p')!.target).toEqual({ host: 'demo-sequencer-p2p', port: 9222 })
    expect(replica.links.find((l) => l.to === 'l1')!.target).toEqual({ host: 'demo-l1', port: 8545 })
  })

  const plan: ServicePlan = {
    name: 'a', role: 'replica', program: 'lite', args: [`http://${linkRef('b', 'rpc')}`], env: { PEER: `${linkMultiaddrRef('b', 'p2p')}/p2p/x` },
    ports: {}, files: { 'c.json': `{"url":"http://${linkRef('b', 'rpc')}"}` }, readiness: { kind: 'port', port: 'rpc' }, dependsOn: [],
    links: [
      { to: 'b', port: 'rpc', class: 'rpc', target: { host: 'net-b', port: 1 } },
      { to: 'b', port: 'p2p', class: 'p2p', target: { host: 'net-b-p2p', port: 2 } },
    ],
  }

  test('behavior: resolveLinks substitutes args, env and files, as host:port or multiaddr', () => {
    const direct = resolveLinks(plan, (link) => link.target)
    expect(direct.args).toEqual(['http://net-b:1'])
    expect(direct.env.PEER).toBe('/dns4/net-b-p2p/tcp/2/p2p/x')
    expect(direct.files['c.json']).toBe('{"url":"http://net-b:1"}')
    const proxied = resolveLinks(plan, (link) => ({ host: '127.0.0.1', port: link.port === 'rpc' ? 40001 : 40002 }))
    expect(proxied.args).toEqual(['http://127.0.0.1:40001'])
    expect(proxied.env.PEER).toBe('/ip4/127.0.0.1/tcp/40002/p2p/x')
  })

  test('error: a placeholder naming an undeclared link', () => {
    expect(() => resolveLinks({ ...plan, links: [] }, (link) => link.target)).toThrow('service "a" uses link b:rpc, which its plan does not declare')
  })
})
