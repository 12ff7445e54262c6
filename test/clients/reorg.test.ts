/**
 * Subscriptions across an unsafe reorg, as op-geth's behave: with the batcher stopped past the sequencing
 * window (the technique of test/window.test.ts), the sequencer's block holding a `Ping` is replaced by a
 * deposit-only block; every node's `logs` subscription then sends the Ping log again with
 * `removed: true`, and `newHeads` reports the replacement block. Spawns `dist/`: build first.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createWalletClient, http, numberToHex, pad, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startDevnet, type Devnet } from '../../src/devnet/index.js'
import { defaultTopology } from '../../src/topology/index.js'
import { rpc, syncStatus, testRuntimes, testSpeed, waitFor, waitSettled } from '../helpers.js'
import { EMITTER_INITCODE } from './emitter.js'
import { WsClient } from './ws.js'

describe.each(testRuntimes())('subscriptions across an unsafe reorg on %s', (runtime) => {
  let devnet: Devnet
  let stateDir: string
  const sockets: WsClient[] = []

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-reorg-subs-'))
    const topology = defaultTopology()
    topology.name = 'reorgsubs'
    topology.l2.sequencingWindow = 4
    devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir, speed: testSpeed })
  })

  afterAll(async () => {
    for (const ws of sockets) ws.close()
    await devnet?.stop()
    rmSync(stateDir, { recursive: true, force: true })
  })

  test('behavior: logs of a dropped block come back with removed: true; newHeads reports the new chain', async () => {
    const seq = devnet.endpoints.sequencer
    const rep = devnet.endpoints['replica-0']
    const account = privateKeyToAccount(devnet.keys.accounts[6].privateKey)
    const l2 = devnet.l2()
    const wallet = createWalletClient({ account, chain: l2.chain, transport: http(seq.el) })
    // The emitter must survive the reorg: its block must be safe on both nodes. A settled devnet first (a
    // young one replaces its first unsafe blocks when the window of their epoch expires); if a busy machine
    // still lets a window expire under the deployment, deploy again.
    await waitSettled(devnet, 4)
    let emitter: Address | undefined
    for (let attempt = 0; attempt < 3 && !emitter; attempt++) {
      const deployed = await l2.waitForTransactionReceipt({ hash: await wallet.sendTransaction({ data: EMITTER_INITCODE }), timeout: 30_000 })
      for (const node of [seq, rep]) await waitFor('emitter safe', async () => (await syncStatus(node.rollup)).safe_l2.number >= Number(deployed.blockNumber), 60_000)
      const safe = await rpc(rep.el, 'eth_getBlockByNumber', [numberToHex(deployed.blockNumber), false])
      if (safe.hash === deployed.blockHash) emitter = deployed.contractAddress!
    }
    if (!emitter) throw new Error('the emitter deployment was reorged out three times')
    const subs = await Promise.all([seq.elWs, rep.elWs].map(async (url) => {
      const ws = await WsClient.open(url)
      sockets.push(ws)
      return { ws, logs: await ws.subscribe('logs', { address: emitter! }), heads: await ws.subscribe('newHeads') }
    }))
    await rpc(devnet.endpoints.batcher.rpc, 'admin_stopBatcher')
    const hash = await wallet.sendTransaction({ to: emitter, data: pad(numberToHex(5)) })
    const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 20_000 })
    const n = Number(receipt.blockNumber)
    for (const [i, { ws, logs, heads }] of subs.entries()) {
      const added = await ws.notification(logs, (l) => l.transactionHash === hash)
      expect(added.removed).toBe(false)
      // It differed once on docker in a local run (not reproduced): say on which node, and which blocks.
      const node = i === 0 ? 'sequencer' : 'replica-0'
      expect(added.blockHash, `${node}: the Ping log came first in block ${Number(added.blockNumber)} ${added.blockHash}; the receipt named block ${n} ${receipt.blockHash}; it got:\n${ws.summary()}`).toBe(receipt.blockHash)
      await ws.notification(heads, (h) => h.hash === receipt.blockHash)
    }
    // The window expires; every node derives a deposit-only block at n.
    for (const node of [seq, rep]) await waitFor(`safe >= ${n}`, async () => (await syncStatus(node.rollup)).safe_l2.number >= n, 90_000)
    const replaced = await rpc(seq.el, 'eth_getBlockByNumber', [numberToHex(n), false])
    expect(replaced.hash).not.toBe(receipt.blockHash)
    for (const { ws, logs, heads } of subs) {
      const removed = await ws.notification(logs, (l) => l.transactionHash === hash && l.removed === true)
      expect(removed).toMatchObject({ blockHash: receipt.blockHash, data: pad(numberToHex(5)), address: emitter.toLowerCase() })
      const head = await ws.notification(heads, (h) => h.hash === replaced.hash)
      expect(Number(head.number)).toBe(n)
    }
    await rpc(devnet.endpoints.batcher.rpc, 'admin_startBatcher')
  })
})
