/**
 * A polling component stops at once while a round waits on a node that does not answer (a paused one):
 * its calls in flight are cut short, not waited out (5-10 s each). Before, a scenario that ended with the
 * sequencer paused took 1-3 s more to stop the devnet, the challenger's stop alone up to 10 s, proxyd's as
 * long as its backend response timeout.
 */
import { createServer as createHttpServer } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startBatcher } from '../batcher/index.js'
import { startProposer } from '../proposer/index.js'
import { parseConfig } from '../proxyd/config.js'
import { startProxyd } from '../proxyd/proxyd.js'

const sockets: Socket[] = []
let silent: Server
let url = ''
beforeAll(async () => {
  silent = createServer((socket) => void sockets.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`
})
afterAll(() => {
  for (const s of sockets) s.destroy()
  silent.close()
})

/** Waits until the component has a call waiting on the silent server, then times its stop. */
async function stopWhileWaiting(stop: () => Promise<void>): Promise<number> {
  const before = sockets.length
  for (const end = Date.now() + 5_000; sockets.length === before && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20))
  expect(sockets.length).toBeGreaterThan(before)
  const started = Date.now()
  await stop()
  return Date.now() - started
}

const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const

test('behavior: the proposer stops at once while its L1 does not answer', async () => {
  const proposer = await startProposer({
    l1EthRpc: url, rollupRpc: [url], activeSequencerCheckMs: 0, gameFactoryAddress: '0x0000000000000000000000000000000000000001',
    gameType: 255, proposalIntervalMs: 1000, pollIntervalMs: 200, allowNonFinalized: true, privateKey: key,
    rpc: { addr: '127.0.0.1', port: 0 }, metrics: { enabled: false, addr: '127.0.0.1', port: 0 }, stopped: false,
  })
  expect(await stopWhileWaiting(() => proposer.stop())).toBeLessThan(1_000)
})

test('behavior: the batcher stops at once while its nodes do not answer', async () => {
  const batcher = await startBatcher({
    name: 'batcher', l1Rpc: url, l2Rpc: url, rollupRpc: url, privateKey: key, l1ChainId: 900, l2ChainId: 901,
    batchInbox: '0xff00000000000000000000000000000000000901', maxChannelDuration: 1, maxFrameSize: 120_000, batchType: 0,
    pollMs: 100, host: '127.0.0.1', ports: { rpc: 0 }, stopped: false,
  })
  expect(await stopWhileWaiting(() => batcher.stop())).toBeLessThan(1_000)
})

test('behavior: proxyd stops at once while a consensus poll waits on a backend that stopped answering', async () => {
  // Answers every call with an error until paused, then takes requests and never answers (a paused node).
  let paused = false
  let held = 0
  const backend = createHttpServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      if (paused) return void held++
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(text).id, error: { code: -32000, message: 'not yet' } }))
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  try {
    const toml = `
[server]
rpc_port = 0
[backend]
response_timeout_seconds = 10
[backends.a]
rpc_url = "http://127.0.0.1:${(backend.address() as { port: number }).port}"
[backend_groups.main]
backends = ["a"]
routing_strategy = "consensus_aware"
consensus_poller_interval = "100ms"
[rpc_method_mappings]
eth_chainId = "main"
`
    const proxyd = await startProxyd(parseConfig(toml, 'stop.toml'))
    paused = true
    for (const end = Date.now() + 5_000; held === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20))
    expect(held).toBeGreaterThan(0) // a poll waits on it
    const started = Date.now()
    await proxyd.stop()
    expect(Date.now() - started).toBeLessThan(1_000) // not the poll's 10 s timeout
  } finally {
    backend.closeAllConnections()
    backend.close()
  }
})
