/**
 * The lite rollup node: starts the engine (anvil), the node, its two RPC servers and libp2p, and stops
 * them in reverse order. The program (`main.ts`) runs it until SIGTERM / SIGINT.
 */
import '../shared/polyfills.js'
import type { Server } from 'node:http'
import { resolve } from 'node:path'
import type { RollupNodeConfig } from './config.js'
import { Engine } from './engine.js'
import type { SpawnedEngine } from './engineAnvil.js'
import { l2Rpc } from './l2rpc/index.js'
import { RollupNode } from './node.js'
import type { P2PNode } from './p2p.js'
import { GapSync } from './gapSync.js'
import { PayloadServer, requestPayload } from './reqresp.js'
import { payloadByNumberProtocol } from '../../protocol/reqresp.js'
import type { NodeDiscovery } from './discovery.js'
import { LITE_VERSION, rollupMethods } from './rpc.js'
import { closeServer, startRpcServer } from '../shared/jsonrpc.js'
import { logger } from '../shared/log.js'

export interface RunningRollupNode {
  node: RollupNode
  stop(): Promise<void>
}

/**
 * Starts a rollup node from its config (paths relative to `baseDir`). `early.engine` is its engine anvil
 * when the caller spawned it already (the program does, before it loads this module).
 */
export async function startRollupNode(conf: RollupNodeConfig, baseDir = process.cwd(), early: { engine?: Promise<SpawnedEngine> } = {}): Promise<RunningRollupNode> {
  const log = logger(conf.name)
  const cfg = structuredClone(conf.rollup)
  // libp2p takes the longest to load (about 1 s of CPU here): load it while anvil starts and the state loads.
  const p2pModule = import('./p2p.js')
  p2pModule.catch(() => {}) // awaited below; a failure surfaces there
  // Discovery's modules (discv5, ENR: a few hundred ms of CPU) load right after libp2p's, while the node
  // initialises, so that discovery can start as soon as the node serves.
  const discoveryModule = conf.p2p.discovery ? p2pModule.then(() => import('./discovery.js')) : undefined
  discoveryModule?.catch(() => {}) // awaited below
  const since = () => Math.round(process.uptime() * 1000)
  const marks: Record<string, number> = { loadedMs: since() }
  const engine = await Engine.start({ anvilBin: process.env.DEVNET_ANVIL_BIN ?? 'anvil', genesisFile: resolve(baseDir, conf.l2Genesis), cfg, log }, early.engine)
  const servers: Server[] = []
  let p2p: P2PNode | undefined
  let discovery: Promise<NodeDiscovery | undefined> = Promise.resolve(undefined)
  const node = new RollupNode(cfg, conf.dataDir ? { ...conf, dataDir: resolve(baseDir, conf.dataDir) } : conf, engine, log)
  const server = new PayloadServer(node)
  const reqResp = payloadByNumberProtocol(cfg.l2_chain_id)
  const sync = new GapSync({
    log,
    get unsafe() { return node.unsafe },
    get safe() { return node.safe },
    hashAt: async (n) => (await engine.blockByNumber(n))?.hash,
    peers: () => p2p?.peersServing(reqResp) ?? [],
    fetch: (peer, n) => requestPayload((...args) => p2p!.newStream(...args), cfg, reqResp, peer, n),
    enqueue: (payload) => node.gossip.enqueue(payload),
  })
  node.gossip.onGap = (target) => sync.request(target)
  const stop = async () => {
    sync.stop()
    await node.stop() // the driver ends and the last snapshot is written; the rest need nothing of each other
    const parts = await Promise.allSettled([
      ...servers.map(closeServer),
      discovery.catch(() => undefined).then((found) => found?.stop()),
      p2p?.stop(),
      engine.stop(),
    ])
    for (const part of parts) if (part.status === 'rejected') log.warn('a part failed to stop cleanly', { err: (part.reason as Error).message })
  }
  try {
    marks.engineMs = since()
    // The node's init (engine and L1 reads) and the libp2p host do not need each other: side by side.
    const p2pStarted = p2pModule.then(({ P2PNode }) => {
      marks.p2pLoadedMs = since()
      return P2PNode.create({
        privateKey: conf.p2p.privateKey,
        listenHost: conf.host,
        listenPort: conf.ports.p2p,
        staticPeers: conf.p2p.staticPeers,
        ...(conf.p2p.announce ? { announce: [conf.p2p.announce] } : {}),
        ...(conf.p2p.liveness ? { liveness: conf.p2p.liveness } : {}),
        topics: node.gossip.topics(),
        validate: (topic, data) => node.gossip.validate(topic, data),
        onMessage: () => {},
        chainId: cfg.l2_chain_id,
        protocols: { [reqResp]: (stream, from) => server.handle(stream, from) },
        log: (msg) => log.debug(msg),
      })
    }).then((host) => (p2p = host))
    const started = await Promise.allSettled([node.init().then(() => (marks.initMs = since())), p2pStarted])
    for (const r of started) if (r.status === 'rejected') throw r.reason
    node.gossip.p2p = p2p!
    const el = l2Rpc(node)
    engine.onHeadChange = () => el.subscriptions.headChanged()
    if (conf.sequencer.enabled) {
      engine.onDropping = (txs) => node.sequencer.holdDropped(txs)
      engine.onDropped = (txs) => node.sequencer.requeue(txs)
    }
    const methods = rollupMethods(node)
    servers.push(...(await Promise.all([
      startRpcServer({ host: conf.host, port: conf.ports.el, methods: el.methods, fallback: el.fallback, websocket: el.websocket }),
      startRpcServer({ host: conf.host, port: conf.ports.rollup, methods, health: () => ({ version: LITE_VERSION }) }),
    ])))
    marks.readyMs = since()
    node.start()
    // Discovery starts once the node serves, off the startup path (static peers are dialled already); its
    // opp2p_* answers replace the plain ones when it runs.
    if (conf.p2p.discovery && discoveryModule) {
      const host = p2p!
      // Relative to the node's directory, as `dataDir` is (the process runtime starts each node in its own).
      const dcfg = conf.p2p.discovery.path === 'memory' ? conf.p2p.discovery : { ...conf.p2p.discovery, path: resolve(baseDir, conf.p2p.discovery.path) }
      discovery = discoveryModule.then(async ({ NodeDiscovery, discoveryMethods }) => {
        const d = await NodeDiscovery.start({
          cfg: dcfg, privateKey: conf.p2p.privateKey, listenHost: conf.host, tcpPort: conf.ports.p2p, chainId: cfg.l2_chain_id,
          host: { peerId: host.peerId, connectedPeers: () => host.connectedPeerIds(), peerConnections: () => host.peerConnections(), connectPeer: (a) => host.connectPeer(a), disconnectPeer: (id) => host.disconnectPeer(id) },
          log: (msg) => log.debug(msg),
          onFirstPeer: (join) => log.info('discovery: first peer', { ...join, ms: since() }),
        })
        Object.assign(methods, discoveryMethods(host, d))
        log.info('discovery started', { udp: dcfg.udpPort, enr: d.service.enr(), ms: since() })
        return d
      })
      discovery.catch((err: unknown) => log.error('discovery failed to start', { error: String(err) }))
    }
    log.info('rollup node started', {
      sequencer: node.sequencer.active,
      el: conf.ports.el,
      rollup: conf.ports.rollup,
      p2p: conf.ports.p2p,
      peerId: p2p!.peerId,
      genesisL2: cfg.genesis.l2.hash,
      // startup timeline, ms since the process started
      ...marks,
    })
  } catch (err) {
    await stop()
    throw err
  }
  return { node, stop }
}
