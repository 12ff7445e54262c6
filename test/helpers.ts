/** Small helpers shared by the integration suites. */
import { execFileSync, spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { onTestFailed } from 'vitest'
import type { Devnet } from '../src/devnet/index.js'
import { withL1Held } from '../src/devnet/clock.js'
import { chainTime } from '../src/protocol/clock.js'
import type { SyncStatus } from '../src/protocol/types.js'
import { jsonRpc } from '../src/runtime/jsonrpc.js'
import { defaultTopology } from '../src/topology/defaults.js'
import type { Topology } from '../src/topology/types.js'

/** One JSON-RPC call (the orchestrator's client); throws on an error answer. */
export function rpc<T = any>(url: string, method: string, params: unknown[] = []): Promise<T> {
  return jsonRpc<T>(url, method, params, { timeoutMs: 30_000 })
}

export const syncStatus = (rollupUrl: string) => rpc<SyncStatus>(rollupUrl, 'optimism_syncStatus')

/**
 * The methods a component's polling round (`tick`, its L1 behind the relay `l1`) calls on L1: in its first
 * round with L1 held, in the two rounds after it under the same head, and in one round after L1 mined
 * another block. L1 mines again afterwards, also when a round fails.
 */
export async function roundsUnderHeldL1(devnet: Devnet, l1: { methods: string[] }, tick: () => Promise<void>): Promise<{ first: string[]; held: string[]; next: string[] }> {
  const calls = async (rounds: number) => {
    l1.methods.length = 0
    for (let i = 0; i < rounds; i++) await tick()
    return [...l1.methods]
  }
  const { first, held, head } = await withL1Held(devnet.endpoints, async () => ({
    first: await calls(1),
    held: await calls(2),
    head: Number(await rpc(devnet.endpoints.l1.rpc, 'eth_blockNumber')),
  }))
  await waitFor('a new L1 block', async () => Number(await rpc(devnet.endpoints.l1.rpc, 'eth_blockNumber')) > head, 10_000, 50)
  return { first, held, next: await calls(1) }
}

/** What a {@link jsonRpcRelay} may do to the calls it passes on. */
export interface RelayHooks {
  /** Runs before a request is passed on, with its calls (a batch call by call); the request waits for it. */
  before?: (calls: Array<{ method: string; params?: unknown[] }>) => unknown
  /** May change the answer to a single call (parsed) before it goes back. */
  answer?: (call: { method: string }, answer: { result?: any }) => void
}

/**
 * An HTTP relay to the JSON-RPC endpoint `target` that records the method of every call it passes on
 * (batches call by call): what a component asks of a node, and how often. `hooks` hold requests back or
 * change answers, as a slow or stale node would.
 */
export async function jsonRpcRelay(target: string, hooks: RelayHooks = {}): Promise<{ url: string; methods: string[]; close(): Promise<void> }> {
  const methods: string[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      const parsed = JSON.parse(body.toString()) as { method: string } | Array<{ method: string }>
      const calls = Array.isArray(parsed) ? parsed : [parsed]
      for (const call of calls) methods.push(call.method)
      try {
        await hooks.before?.(calls)
        const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        let text = await answer.text()
        if (hooks.answer && !Array.isArray(parsed)) {
          const json = JSON.parse(text) as { result?: unknown }
          hooks.answer(parsed, json)
          text = JSON.stringify(json)
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text)
      } catch (err) {
        res.writeHead(502).end(String(err))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    methods,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

/**
 * The value of one series scraped from a Prometheus `GET /metrics` (0 when the series is absent).
 * @example
 * await metric(devnet.endpoints.challenger.metrics, 'op_challenger_moves')
 * await metric(url, 'op_proposer_default_txmgr_confirm_total{status="success"}')
 */
export async function metric(baseUrl: string, series: string): Promise<number> {
  const text = await fetch(`${baseUrl.replace(/\/$/, '')}/metrics`).then((r) => r.text())
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}

/**
 * The devnet clock speed of the integration suites that need no wall-time part (conductor topologies,
 * whose etcd keeps wall time, refuse any other): chain time runs 4 times faster than the wall, so a suite
 * waits a quarter as long for L1 blocks, finality and dispute clocks. Their bounds are in chain blocks
 * or in `waitFor` deadlines that speed only shortens. Speed 1 is the full tier's (`test/full/`).
 */
export const testSpeed = 4

/**
 * The default topology without the two services most suites never look at: no proxyd (its consensus
 * poller asks every node for its heads 8 times a second at speed 4) and static peering (no bootnode).
 * Measured (process, `up --detach`, 3 runs each): 1.7 s to start instead of 2.45 s, 44 % of a core idle at
 * speed 4 instead of 52 %, which the other worker's suite gets. The suites about proxyd, discovery, the
 * CLI and the shipped scenarios keep the default.
 *
 * And a sequencing window of {@link SUITE_SEQUENCING_WINDOW} L1 blocks: the default 20 is 10 s of wall
 * time at speed 4, and a docker devnet starved beside another suite's (CI's full tier) stalled its L2 side
 * that long while L1 mined on: deposit-only blocks and an unsafe reorg in a suite about something else.
 * The suites about the window set their own.
 */
export function suiteTopology(): Topology {
  const topology = defaultTopology()
  topology.proxyd.enabled = false
  topology.l2.discovery = 'static'
  topology.l2.sequencingWindow = SUITE_SEQUENCING_WINDOW
  return topology
}

/** L1 blocks of the suites' sequencing window: 30 s of wall time at speed 4 (see `suiteTopology`). */
export const SUITE_SEQUENCING_WINDOW = 60

/** Waits until the sequencer's latest block is within 3 s of the devnet clock (a loaded machine can start the chain late). */
export async function sequencerCaughtUp(devnet: Devnet, timeoutMs = 150_000): Promise<void> {
  await waitFor('the sequencer caught up with the devnet clock', async () => chainTime(devnet.clock, Date.now()) / 1000 - Number((await devnet.l2().getBlock()).timestamp) <= 3, timeoutMs, 500)
}

/**
 * Waits for a settled devnet: every node in `nodes` has a safe head of at least 3 within `lag` blocks of
 * the sequencer's unsafe head. After a long start the sequencer builds the start's blocks at once on L1
 * origin 0, and with a short sequencing window (4 L1 blocks: 2 s of wall time at speed 4) a busy machine's
 * batcher can miss it, so derivation replaces them: suites that act on unsafe blocks wait for this first.
 */
export async function waitSettled(devnet: Devnet, lag: number, nodes = ['sequencer', 'replica-0'], timeoutMs = 60_000): Promise<void> {
  for (const node of nodes) {
    await waitFor(`${node}'s safe head >= 3, within ${lag} blocks of the sequencer's unsafe head`, async () => {
      const [s, q] = await Promise.all([syncStatus(devnet.endpoints[node].rollup), syncStatus(devnet.endpoints.sequencer.rollup)])
      return s.safe_l2.number >= 3 && s.safe_l2.number >= q.unsafe_l2.number - lag
    }, timeoutMs, 200)
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes; returns that value. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false | null>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/**
 * Runtimes the integration suites run on. Both: `process` always, and `docker` when an engine answers
 * (`DEVNET_TEST_DOCKER=0` / `=1` forces it off / on; forced on without an engine, the docker suites fail).
 * Each tier runs one half (`DEVNET_TEST_RUNTIMES`, set by the vitest configs): `npm test` the process
 * half of every suite in {@link dualRuntimeSuites}, `npm run test:full` the docker half.
 */
export function testRuntimes(): Array<'process' | 'docker'> {
  const tier = process.env.DEVNET_TEST_RUNTIMES?.split(',')
  return availableRuntimes().filter((r) => !tier || tier.includes(r))
}

function availableRuntimes(): Array<'process' | 'docker'> {
  const flag = process.env.DEVNET_TEST_DOCKER
  if (flag === '0') return ['process']
  if (flag === '1') return ['process', 'docker']
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 3000 })
    return ['process', 'docker']
  } catch {
    return ['process']
  }
}

/**
 * Replaces every L1 block from `first` on with a new branch of empty blocks (`anvil_reorg`), with the L1
 * clock halted meanwhile: a block mined between reading the head and the reorg would leave `first` in
 * place. Refuses a reorg that would reach L1 finalized blocks. Returns the depth.
 */
export async function reorgL1From(devnet: Devnet, first: number): Promise<number> {
  const l1 = devnet.endpoints.l1.rpc
  return withL1Held(devnet.endpoints, async () => {
    const depth = Number(await rpc(l1, 'eth_blockNumber')) - first + 1
    if (depth > 2 * devnet.topology.l1.slotsPerEpoch - 1) throw new Error(`reorg of depth ${depth} would reach finalized L1 blocks`)
    await rpc(l1, 'anvil_reorg', [depth, []])
    return depth
  })
}

/**
 * Reorgs L1 so that its latest batcher tx drops out, once `rollupUrl`'s node has derived safe blocks from
 * it; waits until that node's safe head moves back to what it had derived from the L1 blocks before it.
 * Returns the sync status before the reorg.
 */
export async function reorgOutLatestBatch(devnet: Devnet, rollupUrl: string): Promise<SyncStatus> {
  const l1 = devnet.endpoints.l1.rpc
  const inbox = (await rpc<{ batch_inbox_address: string }>(rollupUrl, 'optimism_rollupConfig')).batch_inbox_address.toLowerCase()
  // Find the latest L1 block carrying a batcher tx, once it is the head or close to it.
  const found = await waitFor('a fresh batcher tx on L1', async () => {
    const head = await rpc(l1, 'eth_getBlockByNumber', ['latest', true])
    return head.transactions.some((t: { to: string | null }) => t.to?.toLowerCase() === inbox) && head
  }, 30_000, 50)
  const first = Number(found.number)
  await waitFor('the node read the batch', async () => (await syncStatus(rollupUrl)).current_l1.number >= first, 10_000, 20)
  // The safe head derived from the L1 blocks the reorg keeps: where the node must go back to. It must have
  // moved past it (reading the batch's L1 block is not deriving its blocks, on a busy machine least of all).
  const floor = (await rpc<{ safeHead: { number: number } }>(rollupUrl, 'optimism_safeHeadAtL1Block', [`0x${(first - 1).toString(16)}`])).safeHead.number
  const before = await waitFor('the node derived safe blocks from the batch', async () => {
    const s = await syncStatus(rollupUrl)
    return s.safe_l2.number > floor && s
  }, 10_000, 20)
  await reorgL1From(devnet, first)
  const dipped = await waitFor('the safe head moves back', async () => {
    const s = await syncStatus(rollupUrl)
    return s.safe_l2.number <= floor && s
  }, 10_000, 20)
  if (dipped.safe_l2.number < dipped.finalized_l2.number) throw new Error(`safe ${dipped.safe_l2.number} fell below finalized ${dipped.finalized_l2.number}`)
  return before
}

/** Runs the `devnet` command as users run it (`bin/devnet.js`, the build `npm test` makes first) in `cwd`. */
export function runCli(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = fileURLToPath(new URL('../bin/devnet.js', import.meta.url))
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/**
 * Runs a test's body; when it throws, the error's message gains the last `lines` log lines of each of
 * `services`: CI keeps only its output, not the devnet's state directory.
 */
export async function withServiceLogs<T>(devnet: Devnet, services: string[], body: () => Promise<T>, lines = 15): Promise<T> {
  try {
    return await body()
  } catch (error) {
    if (error instanceof Error) {
      const tail = (name: string) => {
        try {
          return devnet.service(name).logs(lines).join('\n')
        } catch (e) {
          return `(no logs: ${(e as Error).message})`
        }
      }
      error.message += services.map((name) => `\n--- last ${lines} log lines of ${name} ---\n${tail(name)}`).join('')
    }
    throw error
  }
}

const kept = new Set<string>()

/** Called in a test: when it fails, `dir` (its suite's state directory, with every service's log) is kept. */
export function keepIfFailed(dir: string): void {
  onTestFailed(() => void kept.add(dir))
}

/** Removes a suite's state directory, or names it when a failed test kept it (`keepIfFailed`). */
export function removeOrKeep(dir: string): void {
  if (kept.has(dir)) console.log(`state and service logs of the failed test kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
