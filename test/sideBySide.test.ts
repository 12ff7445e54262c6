/**
 * Two devnets side by side in one test run (`ports: auto`, different names) do not see each other:
 * no p2p link between them, transactions stay on their own chain, both keep deriving.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startDevnet, type Devnet } from '../src/devnet/index.js'
import { defaultTopology } from '../src/topology/index.js'
import { rpc, syncStatus, testRuntimes, testSpeed, waitFor, withServiceLogs, keepIfFailed, removeOrKeep, SUITE_SEQUENCING_WINDOW } from './helpers.js'

describe.each(testRuntimes())('two devnets side by side on %s', (runtime) => {
  const devnets: Devnet[] = []
  const dirs: string[] = []

  beforeAll(async () => {
    const start = (name: string) => {
      const topology = defaultTopology()
      topology.name = `${name}-${runtime}`
      // Two devnets at once on a loaded machine: 20 L1 blocks (10 s at speed 4) were too few once (CI, docker).
      topology.l2.sequencingWindow = SUITE_SEQUENCING_WINDOW
      const stateDir = mkdtempSync(join(tmpdir(), `op-devnet-${name}-`))
      dirs.push(stateDir)
      return startDevnet({ topology, runtime, ports: 'auto', stateDir, speed: testSpeed })
    }
    devnets.push(...(await Promise.all([start('side-a'), start('side-b')])))
  })

  afterAll(async () => {
    await Promise.allSettled(devnets.map((d) => d.stop()))
    for (const d of dirs) removeOrKeep(d)
  })

  // Failed once on docker in CI (the tx sent to side-a's sequencer had no receipt after 20 s): a failure shows
  // side-a's sequencer, replica and batcher logs.
  test('behavior: each replica peers only with its own sequencer; txs stay on their chain', () => withServiceLogs(devnets[0]!, ['sequencer', 'replica-0', 'batcher'], async () => {
    for (const d of dirs) keepIfFailed(d)
    const [a, b] = devnets as [Devnet, Devnet]
    const ids = await Promise.all(devnets.map(async (d) => (await rpc(d.endpoints.sequencer.rollup, 'opp2p_self')).peerID as string))
    expect(ids[0]).not.toBe(ids[1])
    for (const [i, d] of devnets.entries()) {
      const peers = await waitFor('replica connected to its sequencer', async () => {
        const dump = await rpc(d.endpoints['replica-0'].rollup, 'opp2p_peers', [true])
        return dump.peers[ids[i]] && Object.keys(dump.peers)
      })
      expect(peers).toEqual([ids[i]])
    }
    const account = privateKeyToAccount(a.keys.accounts[2].privateKey)
    const wallet = createWalletClient({ account, chain: a.l2().chain, transport: http(a.endpoints.sequencer.el) })
    const hash = await wallet.sendTransaction({ to: account.address, value: parseEther('0.01') })
    const receipt = await a.l2().waitForTransactionReceipt({ hash, timeout: 20_000 })
    expect(receipt.status).toBe('success')
    expect(await rpc(b.endpoints.sequencer.el, 'eth_getTransactionReceipt', [hash])).toBeNull()
    for (const d of devnets) await waitFor('safe >= 3', async () => (await syncStatus(d.endpoints['replica-0'].rollup)).safe_l2.number >= 3)
  }))
})
