/**
 * The pipeline on span batches (`batcher.batchType: span`): the batcher posts only span batches,
 * and a replica with no gossip peers (so it builds every block from L1 data) derives the same
 * chain as the sequencer, user transactions of every type included.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createWalletClient, http, keccak256, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startDevnet, type Devnet } from '../src/devnet/index.js'
import { decodeBatch, type RawSpanBatch } from '../src/protocol/batch.js'
import { concatBytes } from '../src/protocol/bytes.js'
import { decodeChannel } from '../src/protocol/channel.js'
import { parseBatcherTxData, type Frame } from '../src/protocol/frame.js'
import type { RollupConfig } from '../src/protocol/types.js'
import { reorgOutLatestBatch, rpc, suiteTopology, syncStatus, testRuntimes, testSpeed, waitFor, withServiceLogs, keepIfFailed, removeOrKeep } from './helpers.js'

describe.each(testRuntimes())('span batches on %s', (runtime) => {
  let devnet: Devnet
  let stateDir: string

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-span-'))
    const topology = suiteTopology()
    topology.name = 'span'
    topology.batcher.batchType = 'span'
    // Several L2 blocks per channel, so spans carry more than one block.
    topology.batcher.maxChannelDuration = 3
    // No gossip: the replica's blocks come from derivation only.
    topology.l2.nodes = topology.l2.nodes.map((node) => ({ ...node, peers: [] }))
    devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir, speed: testSpeed })
  })

  afterAll(async () => {
    await devnet?.stop()
    removeOrKeep(stateDir)
  })

  // Failed once in CI on docker (a tx missing on the replica, then a safe block not the sequencer's) and once
  // locally under load (the safe head past what the spans on L1 cover, then no batcher tx for 30 s): a
  // failure shows the batcher's and both nodes' last log lines.
  const logged = (body: () => Promise<void>) => () => {
    keepIfFailed(stateDir)
    return withServiceLogs(devnet, ['batcher', 'sequencer', 'replica-0'], body)
  }

  test('behavior: user txs of every type reach the replica through span batches, block hashes equal', logged(async () => {
    const seq = devnet.endpoints.sequencer
    const rep = devnet.endpoints['replica-0']
    const l2 = devnet.l2()
    const sent: Hex[] = []
    for (const [i, type] of (['legacy', 'eip2930', 'eip1559'] as const).entries()) {
      const account = privateKeyToAccount(devnet.keys.accounts[6 + i].privateKey)
      const wallet = createWalletClient({ account, chain: l2.chain, transport: http(seq.el) })
      for (let k = 0; k < 2; k++) sent.push(await wallet.sendTransaction({ type, nonce: k, to: devnet.keys.accounts[9].address, value: 1000n + BigInt(k), data: '0x' }))
    }
    const receipts = await Promise.all(sent.map((hash) => l2.waitForTransactionReceipt({ hash, timeout: 30_000 })))
    expect(receipts.every((r) => r.status === 'success')).toBe(true)
    const last = Math.max(...receipts.map((r) => Number(r.blockNumber)))

    const status = await waitFor('replica safe past the txs', async () => {
      const s = await syncStatus(rep.rollup)
      return s.safe_l2.number >= last + 2 && s
    }, 90_000)
    for (let n = 0; n <= status.safe_l2.number; n++) {
      const hex = `0x${n.toString(16)}`
      const [a, b] = await Promise.all([rpc(seq.el, 'eth_getBlockByNumber', [hex, false]), rpc(rep.el, 'eth_getBlockByNumber', [hex, false])])
      expect(b.hash, `block ${n}`).toBe(a.hash)
    }
    for (const hash of sent) expect((await rpc(rep.el, 'eth_getTransactionByHash', [hash]))?.hash).toBe(hash)

    // What the batcher posted: every batch in every channel on L1 is a span batch (type 1).
    const cfg = await rpc<RollupConfig>(seq.rollup, 'optimism_rollupConfig')
    const head = Number(await rpc(devnet.endpoints.l1.rpc, 'eth_blockNumber'))
    const frames = new Map<Hex, Frame[]>()
    for (let n = 1; n <= head; n++) {
      const block = await rpc(devnet.endpoints.l1.rpc, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, true])
      for (const tx of block.transactions) {
        if (tx.to?.toLowerCase() !== cfg.batch_inbox_address.toLowerCase()) continue
        for (const f of parseBatcherTxData(tx.input)) frames.set(f.channelId, [...(frames.get(f.channelId) ?? []), f])
      }
    }
    const spans: RawSpanBatch[] = []
    for (const list of frames.values()) {
      if (!list.some((f) => f.isLast)) continue
      const data = concatBytes(...list.sort((x, y) => x.frameNumber - y.frameNumber).map((f) => f.data))
      for (const batch of decodeChannel(data, 10_000_000)) {
        const decoded = decodeBatch(batch, { l2ChainId: cfg.l2_chain_id })
        expect(decoded.type).toBe(1)
        if (decoded.type === 1) spans.push(decoded.span)
      }
    }
    // The spans cover every safe block, some hold several blocks, and they carry the user txs.
    expect(spans.reduce((n, s) => n + s.blockCount, 0)).toBeGreaterThanOrEqual(status.safe_l2.number)
    expect(Math.max(...spans.map((s) => s.blockCount))).toBeGreaterThan(1)
    const posted = new Set(spans.flatMap((s) => s.txs.map((tx) => keccak256(tx))))
    for (const hash of sent) expect(posted.has(hash), hash).toBe(true)
  }))
  test('behavior: an L1 reorg that drops a span batch moves the safe head back; re-posted spans bring it forward on the same blocks', logged(async () => {
    const seq = devnet.endpoints.sequencer
    const rep = devnet.endpoints['replica-0']
    const before = await reorgOutLatestBatch(devnet, rep.rollup)
    const s = await waitFor('replica safe head recovers', async () => {
      const s = await syncStatus(rep.rollup)
      return s.safe_l2.number > before.safe_l2.number && s
    }, 60_000)
    const hex = `0x${s.safe_l2.number.toString(16)}`
    const [a, b] = await Promise.all([rpc(seq.el, 'eth_getBlockByNumber', [hex, false]), rpc(rep.el, 'eth_getBlockByNumber', [hex, false])])
    expect(b.hash).toBe(a.hash)
  }))
})
