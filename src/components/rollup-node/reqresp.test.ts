import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { l2Genesis, rollupConfig } from '../../plan/genesis.js'
import { devKeys } from '../../plan/keys.js'
import { encodeGossipBlock, gossipTopic, payloadVersionFor } from '../../protocol/payload.js'
import { p2pPrivateKeyFromSeed } from '../../protocol/p2pIdentity.js'
import { encodePayloadRequest, payloadByNumberProtocol } from '../../protocol/reqresp.js'
import type { L2BlockRef } from '../../protocol/types.js'
import { anvilBinary } from '../../runtime/process/index.js'
import { defaultTopology } from '../../topology/index.js'
import { l1InfoTx } from './attributes.js'
import { Engine, l2RefFromBlock, type RpcBlock } from './engine.js'
import { GapSync } from './gapSync.js'
import { Gossip } from './gossip.js'
import type { L1Block } from './l1.js'
import { P2PNode } from './p2p.js'
import { PayloadServer, payloadByNumber, ReqRespError, requestPayload } from './reqresp.js'
import { logger } from '../shared/log.js'

const topology = defaultTopology()
const genesisTime = Math.floor(Date.now() / 1000) - 20
const cfg = rollupConfig(topology, genesisTime)
const protocol = payloadByNumberProtocol(cfg.l2_chain_id)
const signerKey: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const log = logger('reqresp-test')
const dir = mkdtempSync(join(tmpdir(), 'op-devnet-reqresp-'))
const genesisFile = join(dir, 'l2-genesis.json')
const engines: Engine[] = []
const hosts: P2PNode[] = []
let seq = 0

beforeAll(async () => {
  writeFileSync(genesisFile, JSON.stringify(l2Genesis(topology, genesisTime)))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
  await Promise.all(engines.splice(0).map((e) => e.stop()))
})

async function engine(): Promise<Engine> {
  const e = await Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg, log })
  engines.push(e)
  if (cfg.genesis.l2.hash === `0x${'00'.repeat(32)}`) cfg.genesis.l2.hash = (await e.blockByNumber(0))!.hash
  return e
}

/** Builds blocks up to `to` on `e` (L1-info deposit first, plus a transfer in every other block, `tsShift` seconds late). */
async function build(e: Engine, to: number, tsShift = 0): Promise<void> {
  const origin: L1Block = {
    ref: { ...cfg.genesis.l1, parentHash: `0x${'00'.repeat(32)}`, timestamp: genesisTime },
    baseFeePerGas: 1n, mixHash: `0x${'00'.repeat(32)}`, transactions: [],
  }
  const sender = privateKeyToAccount(devKeys(topology).accounts[0].privateKey)
  for (let parent = await e.head(); Number(parent.number) < to; parent = await e.head()) {
    const n = Number(parent.number) + 1
    const ts = genesisTime + n * cfg.block_time + tsShift
    const txs: Hex[] = [l1InfoTx(cfg, origin, n, ts)]
    if (n % 2 === 0) {
      txs.push(await sender.signTransaction({
        type: 'eip1559', chainId: cfg.l2_chain_id, nonce: n / 2 - 1, to: sender.address, value: 1n, gas: 21_000n,
        maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n,
      }))
    }
    await e.build(parent, ts, txs)
  }
}

/** A libp2p host serving `e` up to `head` (with `peers` as static peers). */
async function host(e: Engine | undefined, head: number, peers: P2PNode[] = []): Promise<P2PNode> {
  const server = e && new PayloadServer({ cfg, log, engine: e, unsafe: { number: head } })
  const h = await P2PNode.create({
    privateKey: p2pPrivateKeyFromSeed(`reqresp-test-${process.pid}`, seq++), listenPort: 0,
    staticPeers: peers.flatMap((p) => p.multiaddrs()), topics: [], chainId: cfg.l2_chain_id,
    validate: async () => 'accept', onMessage: () => {},
    ...(server ? { protocols: { [protocol]: (s, from) => server.handle(s, from) } } : {}),
  })
  hosts.push(h)
  return h
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const fetcher = (client: P2PNode) => (peer: string, n: number) =>
  requestPayload((...a) => client.newStream(...a), cfg, protocol, peer, n)

describe('payload_by_number', () => {
  test('default: a peer serves a block from its engine, with the real encoding', async () => {
    const a = await engine()
    await build(a, 4)
    const server = await host(a, 4)
    const client = await host(undefined, 0, [server])
    await until(() => client.peersServing(protocol).includes(server.peerId), 'identify of the server')
    const got = await fetcher(client)(server.peerId, 4)
    expect(got.payload.blockHash).toBe((await a.blockByNumber(4))!.hash)
    expect(got.payload.transactions).toHaveLength(2)
    expect(got).toEqual(await payloadByNumber({ cfg, log, engine: a, unsafe: { number: 4 } }, 4))
  })

  test('error: unknown block, out of range and malformed requests get op-node result codes', async () => {
    const a = await engine()
    await build(a, 2)
    const server = await host(a, 2)
    const client = await host(undefined, 0, [server])
    await until(() => client.peersServing(protocol).length > 0, 'identify of the server')
    const code = (n: number) => fetcher(client)(server.peerId, n).then(() => 0, (err: ReqRespError) => err.code)
    expect(await code(3)).toBe(1) // not found: above the head, not in the future
    expect(await code(1_000_000)).toBe(2) // invalid: beyond the chain's possible height at this time
    const stream = await client.newStream(server.peerId, protocol, AbortSignal.timeout(5000))
    stream.send(encodePayloadRequest(1).subarray(0, 3))
    await stream.close()
    const chunks: Uint8Array[] = []
    for await (const c of stream) chunks.push(c instanceof Uint8Array ? c : c.subarray())
    expect([...Buffer.concat(chunks)]).toEqual([3]) // unknown error: op-node's answer to an unreadable request
  })
})

describe('gap sync', () => {
  /** A node at `head` on engine `b`: gossip queue, heads and req-resp client. */
  function node(b: Engine, head: RpcBlock, client: P2PNode) {
    let unsafe: L2BlockRef = l2RefFromBlock(head, cfg)
    let unsafeBlock = head
    const gossip = new Gossip({
      cfg, log, engine: b, unsafeBlockSigner: privateKeyToAccount(signerKey).address,
      get unsafe() { return unsafe }, get safe() { return l2RefFromBlock(head, cfg) }, get unsafeBlock() { return unsafeBlock },
      sequencing: () => false, setUnsafe: (blk, ref) => { unsafeBlock = blk; unsafe = ref }, refOf: (blk) => l2RefFromBlock(blk, cfg), wake: () => {},
    })
    const sync = new GapSync({
      log, get unsafe() { return unsafe }, get safe() { return l2RefFromBlock(head, cfg) },
      hashAt: async (n) => (await b.blockByNumber(n))?.hash, peers: () => client.peersServing(protocol),
      fetch: fetcher(client), enqueue: (p) => gossip.enqueue(p),
    })
    return { gossip, sync, head: () => unsafe }
  }

  /** The signed gossip message of block `n` of `e`, through the validator as a peer's message would go. */
  async function gossipBlock(e: Engine, n: number, g: Gossip): Promise<void> {
    const src = await payloadByNumber({ cfg, log, engine: e, unsafe: { number: n } }, n)
    const version = payloadVersionFor(cfg, Number(src!.payload.timestamp))
    const data = await encodeGossipBlock({ ...src!, version, l2ChainId: cfg.l2_chain_id, signerPrivateKey: signerKey })
    expect(await g.validate(gossipTopic(cfg.l2_chain_id, version), data)).toBe('accept')
  }

  test('behavior: a node whose gossip block does not attach fetches the missing blocks and inserts them', async () => {
    const [a, b] = [await engine(), await engine()]
    await build(a, 8)
    await build(b, 2)
    expect((await b.blockByNumber(2))!.hash).toBe((await a.blockByNumber(2))!.hash)
    const server = await host(a, 8)
    const client = await host(undefined, 0, [server])
    await until(() => client.peersServing(protocol).length > 0, 'identify of the server')
    const n = node(b, (await b.head()), client)
    await gossipBlock(a, 8, n.gossip)
    // Without req-resp the block waits for its parents forever.
    expect(await n.gossip.step()).toBe(false)
    expect(n.head().number).toBe(2)
    n.gossip.onGap = (t) => n.sync.request(t)
    await until(async () => { await n.gossip.step(); return n.head().number === 8 }, 'the gap filled')
    for (const k of [3, 5, 8]) expect((await b.blockByNumber(k))!.hash).toBe((await a.blockByNumber(k))!.hash)
    expect(n.sync.stats).toEqual({ fetched: 5, refused: 0 })
  })

  test('error: blocks from a peer on another chain do not hang from the signed block and are refused', async () => {
    const [a, b, c] = [await engine(), await engine(), await engine()]
    await build(a, 6)
    await build(b, 2)
    await build(c, 6, 1) // same numbers, other timestamps: other hashes
    const liar = await host(c, 6)
    const client = await host(undefined, 0, [liar])
    await until(() => client.peersServing(protocol).length > 0, 'identify of the peer')
    const n = node(b, await b.head(), client)
    n.gossip.onGap = (t) => n.sync.request(t)
    await gossipBlock(a, 6, n.gossip)
    await n.gossip.step()
    await until(() => n.sync.stats.refused >= 3, 'the refusals')
    await n.gossip.step()
    expect(n.head().number).toBe(2)
    expect(n.sync.stats.fetched).toBe(0)
  })
})
