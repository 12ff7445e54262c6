import { readFileSync } from 'node:fs'
import { keccak256, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import type { BatcherConfig } from '../components/batcher/config.js'
import type { RollupNodeConfig } from '../components/rollup-node/config.js'
import { DevnetError } from '../errors.js'
import { p2pPeerId } from '../protocol/p2pIdentity.js'
import { defaultTopology, parseTopology, type Topology } from '../topology/index.js'
import { parseConfig } from '../components/proxyd/config.js'
import { devKeys } from './keys.js'
import { resolveLinks } from './links.js'
import { l1Deployment } from './l1Deployment.js'
import { DOCKER_P2P_LIVENESS, planDevnet, startingSequencers } from './plan.js'
import { stablePorts, type PortMap } from './ports.js'
import { cpuWeight, FOLLOWER_NICE, type DevnetPlan, type ServicePlan } from './types.js'

const genesisTime = 1_700_000_000

/** The plan with its files parsed; bytecode in genesis files shortened to its length and hash. */
function readable(plan: DevnetPlan) {
  return {
    ...plan,
    services: plan.services.map((service) => ({
      ...service,
      files: Object.fromEntries(
        Object.entries(service.files).map(([path, content]) => [
          path,
          !path.endsWith('.json') ? content : JSON.parse(content, (key, value) =>
            key === 'code' && typeof value === 'string' ? `<${(value.length - 2) / 2} bytes ${keccak256(value as `0x${string}`).slice(0, 10)}>` : value,
          ),
        ]),
      ),
    })),
  }
}

/** A service of the plan with its links resolved to their targets (the direct addresses). */
const service = (plan: DevnetPlan, name: string) => resolveLinks(plan.services.find((s) => s.name === name)!, (link) => link.target)
const config = (service: ServicePlan) => JSON.parse(service.files['config.json']) as RollupNodeConfig
const batcherConfig = (plan: DevnetPlan) => JSON.parse(service(plan, 'batcher').files['config.json']) as BatcherConfig

function topology(change: (t: Topology) => void = () => {}): Topology {
  const t = defaultTopology()
  change(t)
  return t
}

test('default', () => {
  expect(readable(planDevnet(defaultTopology(), { runtime: 'process', genesisTime }))).toMatchSnapshot()
})

test('args: runtime docker', () => {
  const t = topology((t) => (t.name = 'demo'))
  const hostPorts: PortMap = {
    l1: { rpc: 40001 },
    l1Clock: { rpc: 40014 },
    nodes: { sequencer: { el: 40002, rollup: 40003, p2p: 40004 }, 'replica-0': { el: 40005, rollup: 40006, p2p: 40007 } },
    batcher: { rpc: 40008 },
    proposer: { rpc: 40011, metrics: 40013 },
    proxyd: { rpc: 40009, ws: 40012, metrics: 40010 }, bootnode: { p2p: 30401, rpc: 7640 },
    challenger: { metrics: 40011 },
  }
  const plan = planDevnet(t, { runtime: 'docker', ports: hostPorts, genesisTime })
  expect(service(plan, 'l1').args).toEqual(expect.arrayContaining(['--host', '0.0.0.0', '--port', '8545']))
  expect(service(plan, 'l1').ports.rpc).toEqual({ port: 8545, host: 40001, protocol: 'http', public: true })
  expect(service(plan, 'replica-0').ports).toEqual({
    el: { port: 9546, host: 40005, protocol: 'http', public: true },
    rollup: { port: 7546, host: 40006, protocol: 'http', public: true },
    p2p: { port: 9223, host: 40007, protocol: 'tcp', public: false },
  })
  const replica = config(service(plan, 'replica-0'))
  const sequencerPeer = p2pPeerId(config(service(plan, 'sequencer')).p2p.privateKey)
  expect(replica).toMatchObject({
    host: '0.0.0.0',
    l1Rpc: 'http://demo-l1:8545',
    l1Ws: 'ws://demo-l1:8545',
    ports: { el: 9546, rollup: 7546, p2p: 9223 },
    sequencerHttp: 'http://demo-sequencer:9545',
    p2p: { staticPeers: [`/dns4/demo-sequencer-p2p/tcp/9222/p2p/${sequencerPeer}`], announce: "/dns4/demo-replica-0-p2p/tcp/9223", liveness: DOCKER_P2P_LIVENESS },
  })
  // On the process runtime the link proxy resets cut connections: libp2p's own ping defaults.
  expect(config(service(planDevnet(t, { runtime: 'process', genesisTime }), 'replica-0')).p2p.liveness).toBeUndefined()
  expect(batcherConfig(plan)).toMatchObject({
    l1Rpc: 'http://demo-l1:8545',
    l2Rpc: 'http://demo-sequencer:9545',
    rollupRpc: 'http://demo-sequencer:7545',
    host: '0.0.0.0',
    ports: { rpc: 8548 },
  })
})

test('args: ports (process) are used for binding and for URLs', () => {
  const ports: PortMap = {
    l1: { rpc: 30001 },
    l1Clock: { rpc: 30014 },
    nodes: { sequencer: { el: 30002, rollup: 30003, p2p: 30004 }, 'replica-0': { el: 30005, rollup: 30006, p2p: 30007 } },
    batcher: { rpc: 30008 },
    proposer: { rpc: 30011, metrics: 30013 },
    proxyd: { rpc: 30009, ws: 30012, metrics: 30010 }, bootnode: { p2p: 30401, rpc: 7640 },
    challenger: { metrics: 30011 },
  }
  const plan = planDevnet(defaultTopology(), { runtime: 'process', ports, genesisTime })
  expect(service(plan, 'l1').args).toEqual(expect.arrayContaining(['--host', '127.0.0.1', '--port', '30001']))
  const replica = config(service(plan, 'replica-0'))
  expect(replica.l1Rpc).toBe('http://127.0.0.1:30001')
  expect(replica.ports).toEqual({ el: 30005, rollup: 30006, p2p: 30007 })
  expect(replica.sequencerHttp).toBe('http://127.0.0.1:30002')
  expect(replica.p2p.staticPeers[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/30004\/p2p\/16Uiu2/)
  expect(batcherConfig(plan)).toMatchObject({ l2Rpc: 'http://127.0.0.1:30002', rollupRpc: 'http://127.0.0.1:30003', ports: { rpc: 30008 } })
  for (const s of plan.services) for (const p of Object.values(s.ports)) expect(p.port).toBe(p.host)
})

test('behavior: every dependsOn names an earlier service', () => {
  const t = topology((t) => {
    t.l2.nodes = [
      { name: 'r-a', role: 'replica', peers: ['seq', 'r-b'], l1Confs: 2, standby: false },
      { name: 'seq', role: 'sequencer', peers: [], l1Confs: 1, standby: true },
      { name: 'r-b', role: 'replica', peers: ['seq'], l1Confs: 0, standby: false },
    ]
  })
  for (const runtime of ['process', 'docker'] as const) {
    const plan = planDevnet(t, { runtime, genesisTime })
    const seen = new Set<string>()
    for (const s of plan.services) {
      for (const dep of s.dependsOn) expect(seen, `${s.name} depends on ${dep}`).toContain(dep)
      seen.add(s.name)
    }
    expect(plan.services.map((s) => s.name)).toEqual(['l1', 'l1-clock', 'bootnode', 'seq', 'r-a', 'r-b', 'batcher', 'proxyd'])
  }
})

test('behavior: the lite programs that need L1 wait for it themselves (DEVNET_WAIT_FOR, on its link) and start beside it', () => {
  const t = parseTopology(readFileSync(new URL('../../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml')
  const contracts = { l1Contracts: { alloc: {}, genesisOutputRoot: keccak256(toHex('root')) } }
  for (const runtime of ['process', 'docker'] as const) {
    const plan = planDevnet(t, { runtime, genesisTime, ...contracts })
    const waiting = plan.services.filter((s) => s.waitsFor)
    expect(waiting.map((s) => s.role).sort()).toEqual(['batcher', 'challenger', 'l1-clock', 'proposer', 'replica', 'replica', 'replica', 'sequencer'])
    for (const s of waiting) {
      expect(s.waitsFor).toEqual(['l1'])
      expect(s.dependsOn).toContain('l1')
      expect(s.env.DEVNET_WAIT_FOR).toBe('http://{{link:l1:rpc}}')
      expect(resolveLinks(s, (link) => link.target).env.DEVNET_WAIT_FOR).toBe(runtime === 'docker' ? 'http://ha-l1:8545' : 'http://127.0.0.1:8545')
    }
    // L1 is not lite; bootnode and proxyd need nothing; a conductor waits for its node to be ready.
    for (const s of plan.services.filter((s) => !s.waitsFor)) expect(s.env.DEVNET_WAIT_FOR, s.name).toBeUndefined()
    expect(plan.services.filter((s) => s.role === 'conductor').map((s) => s.dependsOn)).toEqual([['seq-0'], ['seq-1'], ['seq-2']])
  }
})

test('behavior: the sequencer starts first, ports and p2p keys follow the list order', () => {
  const t = topology((t) => {
    t.l2.nodes = [
      { name: 'r-a', role: 'replica', peers: ['seq', 'r-b'], l1Confs: 2, standby: false },
      { name: 'seq', role: 'sequencer', peers: [], l1Confs: 1, standby: true },
      { name: 'r-b', role: 'replica', peers: ['seq'], l1Confs: 0, standby: false },
    ]
  })
  const plan = planDevnet(t, { runtime: 'process', genesisTime })
  expect(config(service(plan, 'r-a')).ports).toEqual({ el: 9545, rollup: 7545, p2p: 9222 })
  expect(config(service(plan, 'seq')).ports).toEqual({ el: 9546, rollup: 7546, p2p: 9223 })
  const seqId = p2pPeerId(config(service(plan, 'seq')).p2p.privateKey)
  const bId = p2pPeerId(config(service(plan, 'r-b')).p2p.privateKey)
  expect(config(service(plan, 'r-a')).p2p.staticPeers).toEqual([
    `/ip4/127.0.0.1/tcp/9223/p2p/${seqId}`,
    `/ip4/127.0.0.1/tcp/9224/p2p/${bId}`,
  ])
  expect(config(service(plan, 'seq')).sequencer).toEqual({ enabled: true, stopped: false, l1Confs: 1 })
  expect(config(service(plan, 'seq')).verifierL1Confs).toBe(0)
  expect(config(service(plan, 'r-a')).sequencer).toEqual({ enabled: false, stopped: false, l1Confs: 0 })
  expect(config(service(plan, 'r-a')).verifierL1Confs).toBe(2)
  expect(config(service(plan, 'r-a')).sequencerHttp).toBe('http://127.0.0.1:9546')
  expect(service(plan, 'r-a').dependsOn).toEqual(['l1'])
  // Followers yield the CPU to the chain's own path; a node that can sequence does not.
  expect(plan.services.filter((s) => s.nice !== undefined).map((s) => [s.name, s.nice])).toEqual([['r-a', FOLLOWER_NICE], ['r-b', FOLLOWER_NICE]])
  expect(batcherConfig(plan)).toMatchObject({ l2Rpc: 'http://127.0.0.1:9546', rollupRpc: 'http://127.0.0.1:7546' })
})

test('behavior: only the sequencer gets the sequencer key; everyone checks its address', () => {
  const t = topology((t) => (t.l2.nodes = [...t.l2.nodes, { name: 'replica-1', role: 'replica', peers: ['replica-0'], l1Confs: 0, standby: false }]))
  const plan = planDevnet(t, { runtime: 'process', genesisTime })
  const keys = devKeys(t)
  const configs = plan.services.filter((s) => s.role === 'sequencer' || s.role === 'replica').map(config)
  expect(configs.map((c) => c.p2p.sequencerKey)).toEqual([keys.sequencer.privateKey, undefined, undefined])
  for (const c of configs) expect(c.p2p.unsafeBlockSigner).toBe(keys.sequencer.address)
  expect(new Set(configs.map((c) => c.p2p.privateKey)).size).toBe(3)
  expect(batcherConfig(plan).privateKey).toBe(keys.batcher.privateKey)
})

test('args: standby replica', () => {
  const t = topology((t) => {
    t.l2.nodes = [
      { name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 2, standby: true },
      { name: 'replica-0', role: 'replica', peers: ['sequencer'], l1Confs: 1, standby: true },
      { name: 'replica-1', role: 'replica', peers: ['sequencer'], l1Confs: 0, standby: false },
    ]
  })
  const plan = planDevnet(t, { runtime: 'process', genesisTime })
  const keys = devKeys(t)
  const standby = config(service(plan, 'replica-0'))
  expect(standby.sequencer).toEqual({ enabled: true, stopped: true, l1Confs: 2 })
  expect(standby.verifierL1Confs).toBe(1)
  expect(standby.p2p.sequencerKey).toBe(keys.sequencer.privateKey)
  expect(standby.sequencerHttp).toBe('http://127.0.0.1:9545')
  expect(config(service(plan, 'replica-1')).sequencer).toEqual({ enabled: false, stopped: false, l1Confs: 0 })
  expect(config(service(plan, 'replica-1')).p2p.sequencerKey).toBeUndefined()
  expect(batcherConfig(plan)).toMatchObject({
    l2Rpc: 'http://127.0.0.1:9545,http://127.0.0.1:9546',
    rollupRpc: 'http://127.0.0.1:7545,http://127.0.0.1:7546',
  })
  expect(service(plan, 'batcher').dependsOn).toEqual(['l1'])
})

test('behavior: deterministic', () => {
  const a = planDevnet(defaultTopology(), { runtime: 'process', genesisTime })
  const b = planDevnet(defaultTopology(), { runtime: 'process', genesisTime })
  expect(a).toEqual(b)
  expect(toHex(JSON.stringify(a))).toBe(toHex(JSON.stringify(b)))
})

test('behavior: files are the l1 genesis, config and l2 genesis', () => {
  const plan = planDevnet(defaultTopology(), { runtime: 'process', genesisTime, ports: stablePorts(defaultTopology()) })
  expect(plan.services.map((s) => [s.name, Object.keys(s.files)])).toEqual([
    ['l1', ['l1-genesis.json']],
    ['l1-clock', ['config.json']],
    ['bootnode', ['rollup.json']],
    ['sequencer', ['config.json', 'l2-genesis.json']],
    ['replica-0', ['config.json', 'l2-genesis.json']],
    ['batcher', ['config.json']],
    ['proxyd', ['proxyd.toml']],
  ])
  expect(config(service(plan, 'sequencer')).l2Genesis).toBe('l2-genesis.json')
})

test('behavior: proxyd fronts every node for reads and the sequencers for transactions, in proxyd\'s own TOML', () => {
  for (const runtime of ['process', 'docker'] as const) {
    const t = topology((t) => t.l2.nodes.push({ name: 'replica-1', role: 'replica', peers: ['sequencer'], l1Confs: 0, standby: true }))
    const proxyd = service(planDevnet(t, { runtime, genesisTime }), 'proxyd')
    expect(proxyd).toMatchObject({ role: 'proxyd', program: 'lite', args: ['proxyd', '--config', 'proxyd.toml'], dependsOn: [] })
    const port = (n: number) => ({ port: n, host: n, protocol: 'http', public: true })
    expect(proxyd.ports).toEqual({ rpc: port(8080), ws: port(8085), metrics: port(7300) })
    const conf = parseConfig(proxyd.files['proxyd.toml'], 'proxyd.toml', proxyd.env)
    expect(conf.backends['replica-1'].rpcUrl).toBe(runtime === 'docker' ? 'http://devnet-replica-1:9547' : 'http://127.0.0.1:9547')
    expect(conf.backends['replica-1'].wsUrl).toBe(runtime === 'docker' ? 'ws://devnet-replica-1:9547' : 'ws://127.0.0.1:9547')
    const bind = runtime === 'docker' ? '0.0.0.0' : '127.0.0.1'
    expect(conf.server).toMatchObject({ rpcHost: bind, rpcPort: 8080, wsHost: bind, wsPort: 8085 })
    expect(conf.wsBackendGroup).toBe('main')
    expect(conf.wsMethodWhitelist).toEqual(expect.arrayContaining(['eth_subscribe', 'eth_unsubscribe']))
    expect(conf.groups.main).toMatchObject({ routingStrategy: 'consensus_aware', backends: ['sequencer', 'replica-0', 'replica-1'] })
    expect(conf.groups.sequencer).toMatchObject({ routingStrategy: 'multicall', backends: ['sequencer', 'replica-1'] })
    expect(conf.methodMappings).toMatchObject({ eth_getBalance: 'main', eth_sendRawTransaction: 'sequencer' })
  }
})

test('args: proxyd disabled, or with the user\'s proxyd.toml', () => {
  expect(planDevnet(topology((t) => (t.proxyd.enabled = false)), { runtime: 'process', genesisTime }).services.map((s) => s.name)).not.toContain('proxyd')
  const toml = '# mine\n[server]\nrpc_port = 8080\n[backends.r]\nrpc_url = "$PROXYD_BACKEND_REPLICA_0"\n[backend_groups.g]\nbackends = ["r"]\n'
  const user = topology((t) => (t.proxyd.config = { file: '/x/proxyd.toml', toml }))
  expect(service(planDevnet(user, { runtime: 'process', genesisTime }), 'proxyd').files).toEqual({ 'proxyd.toml': toml })
})

test('error: a user proxyd.toml on other ports or naming a variable the devnet does not set', () => {
  const plan = (toml: string) => () => planDevnet(topology((t) => (t.proxyd.config = { file: '/x/proxyd.toml', toml })), { runtime: 'process', genesisTime })
  const toml = '[server]\nrpc_port = 8080\n[backends.r]\nrpc_url = "$PROXYD_BACKEND_REPLICA_0"\n[backend_groups.g]\nbackends = ["r"]\n'
  expect(plan(toml.replace('8080', '9999'))).toThrow("proxyd.config /x/proxyd.toml: [server] rpc_port is 9999 but this devnet's proxyd listens on 8080")
  expect(plan(`${toml}[metrics]\nenabled = true\nport = 1\n`)).toThrow("[metrics] port is 1 but this devnet's proxyd metrics port is 7300")
  expect(plan(`ws_backend_group = "g"\n${toml.replace('rpc_port = 8080', 'rpc_port = 8080\nws_port = 2')}`)).toThrow("[server] ws_port is 2 but this devnet's proxyd WebSocket port is 8085")
  expect(plan(toml.replace('REPLICA_0', 'REPLICA_7'))).toThrow('proxyd.config /x/proxyd.toml: /x/proxyd.toml:4 backends.r.rpc_url: config env var $PROXYD_BACKEND_REPLICA_7 not found')
})

describe('error', () => {
  test('a node named like another service', () => {
    const t = topology((t) => (t.l2.nodes[1].name = 'batcher'))
    expect(() => planDevnet(t, { runtime: 'process', genesisTime })).toThrow(DevnetError)
    expect(() => planDevnet(t, { runtime: 'process', genesisTime })).toThrow(/"batcher" is reserved/)
  })
})

test('args: batcher.batchType span becomes --batch-type 1 in the batcher config', () => {
  expect(batcherConfig(planDevnet(defaultTopology(), { runtime: 'process', genesisTime })).batchType).toBe(0)
  const plan = planDevnet(topology((t) => (t.batcher.batchType = 'span')), { runtime: 'process', genesisTime })
  expect(batcherConfig(plan).batchType).toBe(1)
})

test('args: with the settlement contracts, a proposer with op-proposer flags follows the sequencer and proposes to the factory', () => {
  const t = topology((t) => (t.settlement.gameType = 254))
  const bare = planDevnet(t, { runtime: 'process', genesisTime })
  expect(bare.services.map((s) => s.name)).not.toContain('proposer')
  const plan = planDevnet(t, { runtime: 'docker', genesisTime, l1Contracts: { alloc: {}, genesisOutputRoot: keccak256(toHex('root')) } })
  expect(plan.services.map((s) => s.name)).toEqual(['l1', 'l1-clock', 'bootnode', 'sequencer', 'replica-0', 'batcher', 'proposer', 'proxyd', 'challenger'])
  const proposer = service(plan, 'proposer')
  expect(proposer.args).toEqual([
    'proposer', '--l1-eth-rpc=http://devnet-l1:8545', '--rollup-rpc=http://devnet-sequencer:7545', '--active-sequencer-check-duration=1s',
    `--game-factory-address=${l1Deployment(t).addresses.DisputeGameFactoryProxy}`, '--game-type=254', '--proposal-interval=6s',
    '--poll-interval=500ms', '--allow-non-finalized', '--rpc.addr=0.0.0.0', '--rpc.port=8570',
    '--metrics.enabled', '--metrics.addr=0.0.0.0', '--metrics.port=7320',
  ])
  expect(proposer.env).toEqual({ OP_PROPOSER_PRIVATE_KEY: devKeys(t).proposer.privateKey, DEVNET_WAIT_FOR: 'http://devnet-l1:8545' })
  expect(proposer.ports.rpc).toEqual({ port: 8570, host: 8570, protocol: 'http', public: true })
  expect(proposer.ports.metrics).toEqual({ port: 7320, host: 7320, protocol: 'http', public: true })
})

test('args: with conductors (fixtures/ha.yaml) the proposer gets every sequencer-capable node\'s rollup RPC, sequencer first', () => {
  const t = parseTopology(readFileSync(new URL('../../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml')
  const plan = planDevnet(t, { runtime: 'process', genesisTime, l1Contracts: { alloc: {}, genesisOutputRoot: keccak256(toHex('root')) } })
  const rollup = (name: string) => `http://127.0.0.1:${stablePorts(t).nodes[name]!.rollup}`
  expect(service(plan, 'proposer').args).toContain(`--rollup-rpc=${['seq-0', 'seq-1', 'seq-2'].map(rollup).join(',')}`)
})

test('behavior: the nodes that sequence from the start: the sequencer, not a standby, none under a conductor', () => {
  const standby = topology((t) => {
    t.l2.blockTime = 1
    t.l2.nodes = [
      { name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 0, standby: false },
      { name: 'replica-0', role: 'replica', peers: ['sequencer'], l1Confs: 0, standby: true },
    ]
  })
  expect(startingSequencers(planDevnet(standby, { runtime: 'process', genesisTime }))).toEqual([{ name: 'sequencer', blockTime: 1 }])
  const ha = parseTopology(readFileSync(new URL('../../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml')
  expect(startingSequencers(planDevnet(ha, { runtime: 'process', genesisTime, l1Contracts: { alloc: {}, genesisOutputRoot: keccak256(toHex('root')) } }))).toEqual([])
})

test('args: l2.discovery bootnodes (default): a bootnode, and every node discovers with links to every other node', () => {
  const t = defaultTopology()
  t.l2.bootnodes = ['enr:-extra']
  const plan = planDevnet(t, { runtime: 'docker', genesisTime })
  expect(service(plan, 'bootnode').args).toEqual(expect.arrayContaining(['--p2p.advertise.ip', 'devnet-bootnode-p2p', '--p2p.listen.udp', '30301']))
  const discovery = config(service(plan, 'replica-0')).p2p.discovery!
  expect(discovery).toMatchObject({ bootnodes: ['enr:-extra'], bootnodeRpcs: ['http://devnet-bootnode:7540'], udpPort: 9223, advertiseIp: 'devnet-replica-0-p2p' })
  expect(Object.values(discovery.dialAddrs!)).toEqual([expect.stringMatching(/^\/dns4\/devnet-sequencer-p2p\/tcp\/9222\/p2p\/16Uiu2/)])
})

test('args: a node that others keep as a static peer has room for them above peers.hi (30)', () => {
  const t = defaultTopology()
  t.l2.nodes = [
    { name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 0, standby: true },
    ...[0, 1, 2].map((i) => ({ name: `replica-${i}`, role: 'replica' as const, peers: ['sequencer'], l1Confs: 0, standby: false })),
  ]
  const plan = planDevnet(t, { runtime: 'process', genesisTime })
  expect(config(service(plan, 'sequencer')).p2p.discovery).toMatchObject({ peersLo: 20, peersHi: 33 })
  expect(config(service(plan, 'replica-0')).p2p.discovery).toMatchObject({ peersLo: 20, peersHi: 30 })
})

test('args: l2.discovery static: no bootnode, no discovery (--p2p.no-discovery)', () => {
  const t = defaultTopology()
  t.l2.discovery = 'static'
  const plan = planDevnet(t, { runtime: 'process', genesisTime })
  expect(plan.services.map((s) => s.name)).not.toContain('bootnode')
  expect(config(service(plan, 'replica-0')).p2p.discovery).toBeUndefined()
})

test('args: cpuWeight follows the kernel\'s table of nice weights (1024 at 0, 110 at 10, 15 at 19)', () => {
  expect([0, 1, 5, 10, 19].map(cpuWeight)).toEqual([1024, 819, 336, 110, 15])
})
