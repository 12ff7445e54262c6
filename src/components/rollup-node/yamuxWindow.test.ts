import { afterEach, expect, it } from 'vitest'
import { YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { p2pPrivateKeyFromSeed } from '../../protocol/p2pIdentity.js'
import { P2PNode } from './p2p.js'

const TOPIC = '/optimism/901/2/blocks'
const nodes: P2PNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

/** Counts the window updates yamux streams of this process send (their receive capacity grows back). */
function countWindowUpdates(): { updates: () => number; restore: () => void } {
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate(this: { recvWindowCapacity: number }): void }
  const send = proto.sendWindowUpdate
  let updates = 0
  proto.sendWindowUpdate = function () {
    const before = this.recvWindowCapacity
    send.call(this)
    if (this.recvWindowCapacity !== before) updates++
  }
  return { updates: () => updates, restore: () => (proto.sendWindowUpdate = send) }
}

/** Two connected hosts on the block topic; `received` counts what the second one gets. */
async function pair(seed: string): Promise<{ a: P2PNode; got: () => number }> {
  let received = 0
  const make = (i: number, staticPeers: string[]) =>
    P2PNode.create({ privateKey: p2pPrivateKeyFromSeed(seed, i), listenPort: 0, staticPeers, topics: [TOPIC], chainId: 901, validate: async () => 'accept', onMessage: () => void received++ })
  const a = await make(0, [])
  nodes.push(a)
  nodes.push(await make(1, a.multiaddrs()))
  for (let i = 0; received === 0; i++) {
    await a.publish(TOPIC, new TextEncoder().encode(`hello-${i}`)).catch(() => 0) // until the mesh forms
    await new Promise((r) => setTimeout(r, 100))
  }
  return { a, got: () => received }
}

it('behavior: a stream acknowledges what it read as go-yamux does, once half its window is used, not after every frame', async () => {
  const { a, got } = await pair(`yamux-window-${process.pid}`)
  const count = countWindowUpdates()
  try {
    const payload = new Uint8Array(1_000)
    const base = got()
    for (let i = 0; i < 200; i++) {
      payload.set([i, i >> 8, 1])
      await a.publish(TOPIC, payload)
      while (got() < base + i + 1) await new Promise((r) => setImmediate(r)) // one message per frame, as a devnet sends them
    }
    // 200 frames of ~1 KB are under half of the 256 KiB window: js-libp2p's yamux alone sent 200 updates here.
    expect(count.updates()).toBeLessThan(10)
  } finally {
    count.restore()
  }
})

it('behavior: flow control still works: messages several windows long arrive, and the window is given back on the way', async () => {
  const { a, got } = await pair(`yamux-large-${process.pid}`)
  const count = countWindowUpdates()
  try {
    const base = got()
    const payload = new Uint8Array(200_000)
    for (let i = 0; i < 10; i++) {
      payload.set([i, 2])
      await a.publish(TOPIC, payload)
    }
    const deadline = Date.now() + 20_000
    while (got() < base + 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(got() - base).toBe(10) // 2 MB through a 256 KiB window: the sender waited for updates
    expect(count.updates()).toBeGreaterThan(0) // without any, the sender would have stopped after 256 KiB
  } finally {
    count.restore()
  }
})
