/**
 * The batcher's posting under a slow L2: a backlog read slowly (a loaded machine: 80 blocks took 29 s
 * in a docker run) is posted channel by channel as each falls due, not after the whole backlog was read,
 * which left the first channels' epochs past their sequencing window. L1 is a real anvil mining a block a
 * second; the sequencer's EL and rollup node are a small JSON-RPC server answering `eth_getBlockByNumber`
 * after 100 ms, with a chain of empty blocks (an L1-info deposit each). And, with the same node: channels
 * whose L1 blocks the node derived past without its safe head moving are posted again.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { keccak256, numberToHex, toHex, type Hex } from 'viem'
import { encodeL1InfoEcotone, type L1BlockInfo } from '../../protocol/l1Info.js'
import { anvilBinary } from '../../runtime/process/index.js'
import { freePort } from '../../runtime/ports.js'
import { waitForRpc } from '../../runtime/waits.js'
import type { Logger } from '../shared/log.js'
import { Batcher } from './batcher.js'

// anvil's first dev account (public test mnemonic): funded on the anvil below.
const BATCHER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const BACKLOG = 30

const hashOf = (n: number) => keccak256(toHex(`block ${n}`))
const info = (n: number): L1BlockInfo => ({
  number: 0n, time: 0n, baseFee: 1n, blockHash: hashOf(-1), sequenceNumber: BigInt(n), batcherAddr: '0x0000000000000000000000000000000000000001',
  blobBaseFee: 1n, baseFeeScalar: 0, blobBaseFeeScalar: 0, l1FeeOverhead: 0n, l1FeeScalar: 0n, operatorFeeScalar: 0, operatorFeeConstant: 0n,
})
const block = (n: number) => ({
  hash: hashOf(n), parentHash: hashOf(n - 1), timestamp: numberToHex(1_000 + n),
  transactions: [{ hash: keccak256(toHex(`deposit ${n}`)), type: '0x7e', input: encodeL1InfoEcotone(info(n)) }],
})

let anvil: ChildProcess
let l1Url: string
let l2: Server
let l2Url: string
let unsafe = 0
let served = 0
/** The L1 block the fake rollup node reports having derived up to (`current_l1`). */
let derivedL1 = 0

beforeAll(async () => {
  const port = await freePort()
  anvil = spawn(anvilBinary(), ['--port', String(port), '--block-time', '1', '--silent'], { stdio: 'ignore' })
  l1Url = `http://127.0.0.1:${port}`
  await waitForRpc(l1Url, 'eth_chainId', [], { timeoutMs: 10_000 })
  l2 = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c))
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] }
      const reply = (result: unknown, delayMs = 0) => setTimeout(() => res.end(JSON.stringify({ jsonrpc: '2.0', id, result })), delayMs)
      if (method === 'optimism_syncStatus') return reply({ current_l1: { number: derivedL1 }, safe_l2: { number: 0, hash: hashOf(0) }, unsafe_l2: { number: unsafe, hash: hashOf(unsafe) } })
      if (method === 'eth_getBlockByNumber') {
        const n = Number(params[0])
        served = Math.max(served, n)
        return reply(n <= unsafe ? block(n) : null, 100)
      }
      res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: `no ${method}` } }))
    })
  })
  await new Promise<void>((r) => l2.listen(0, '127.0.0.1', r))
  l2Url = `http://127.0.0.1:${(l2.address() as AddressInfo).port}`
})

afterAll(async () => {
  anvil?.kill('SIGKILL')
  await new Promise((r) => l2?.close(r))
})

test('behavior: a slowly read backlog is posted as its channel falls due, before the rest is read', async () => {
  const posted: Array<{ l2: string; servedThen: number }> = []
  const quiet = () => {}
  const log: Logger = { debug: quiet, warn: quiet, error: quiet, info: (msg, fields) => void (msg === 'posted channel' && posted.push({ l2: String(fields?.l2), servedThen: served })) }
  const batcher = new Batcher({
    name: 'batcher', l1Rpc: l1Url, l2Rpc: l2Url, rollupRpc: l2Url, privateKey: BATCHER_KEY, l1ChainId: 31337, l2ChainId: 901,
    batchInbox: '0x00289C189bEE4E70334629f04Cd5eD602B6600eB', maxChannelDuration: 2, maxFrameSize: 120_000, batchType: 0, pollMs: 100,
    host: '127.0.0.1', ports: { rpc: 0 }, stopped: false,
  }, log)
  // Idle rounds first, over two L1 blocks: the batcher measures L1's block interval.
  const l1Head = async () => Number(await (await fetch(l1Url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) })).json().then((r) => (r as { result: Hex }).result))
  const start = await l1Head()
  while ((await l1Head()) < start + 2) {
    await batcher.tick()
    await new Promise((r) => setTimeout(r, 100))
  }
  unsafe = BACKLOG // 30 blocks at 100 ms each: 3 s of reading, the channel due about 1.5 s after it opened
  await batcher.tick()
  expect(served).toBe(BACKLOG)
  expect(posted.length).toBeGreaterThan(0)
  expect(posted[0]!.l2).toMatch(/^1-\d+$/)
  expect(posted[0]!.servedThen).toBeLessThan(BACKLOG)
}, 30_000)

test('behavior: channels the node derived past without its safe head reaching them are posted again from the safe head', async () => {
  // Follows the test above: blocks 1-30 posted, the fake node's safe head still 0. Its derivation passes
  // the L1 blocks holding them (as when derivation ignores a batcher address SystemConfig no longer names).
  const warned: string[] = []
  const posted: string[] = []
  const quiet = () => {}
  const log: Logger = { debug: quiet, error: quiet, warn: (msg, fields) => void warned.push(`${msg}: ${String(fields?.reason)}`), info: (msg, fields) => void (msg === 'posted channel' && posted.push(String(fields?.l2))) }
  const batcher = new Batcher({
    name: 'batcher', l1Rpc: l1Url, l2Rpc: l2Url, rollupRpc: l2Url, privateKey: BATCHER_KEY, l1ChainId: 31337, l2ChainId: 901,
    batchInbox: '0x00289C189bEE4E70334629f04Cd5eD602B6600eB', maxChannelDuration: 1, maxFrameSize: 120_000, batchType: 0, pollMs: 100,
    host: '127.0.0.1', ports: { rpc: 0 }, stopped: false,
  }, log)
  unsafe = 4
  derivedL1 = 0
  const deadline = Date.now() + 20_000
  const tickUntil = async (done: () => boolean) => {
    while (!done() && Date.now() < deadline) {
      await batcher.tick()
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  await tickUntil(() => posted.length > 0)
  expect(posted[0]).toMatch(/^1-\d+$/)
  // Its frames are mined within 2.5 s (a block a second); while the node has not derived past them, no start over.
  const mined = Date.now() + 2_500
  await tickUntil(() => Date.now() > mined)
  expect(warned).toEqual([])
  derivedL1 = 1_000_000
  await tickUntil(() => warned.length > 0)
  expect(warned[0]).toMatch(/^batcher starts over from the safe head: sequencer did not make expected progress: derived L1 up to 1000000, past the channel of blocks up to \d+ \(included by L1 block \d+\), and the safe head is 0$/)
  const before = posted.length
  await tickUntil(() => posted.length > before)
  expect(posted[before]).toMatch(/^1-\d+$/)
}, 30_000)
