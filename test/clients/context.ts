/**
 * One devnet for the client conformance suites (process runtime unless DEVNET_TEST_DOCKER says
 * otherwise), settled with a finalized L2 block on both nodes, with the {@link EMITTER_INITCODE} contract
 * deployed and a few `Ping` logs emitted. The L1-info deposits carry a non-zero L1 base fee from the
 * first block (anvil's L1 genesis: 1 gwei).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWalletClient, http, numberToHex, pad, type Address, type Hex, type PrivateKeyAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startDevnet, type Devnet } from '../../src/devnet/index.js'
import { EMITTER_INITCODE } from './emitter.js'
import { suiteTopology, syncStatus, testSpeed, waitFor, waitSettled } from '../helpers.js'

/** How far safe may lag unsafe (L2 blocks) in a settled devnet. */
const SETTLED_LAG = 8

export interface ClientContext {
  devnet: Devnet
  /** Sequencer L2 HTTP and WebSocket endpoints, replica's, rollup RPCs. */
  el: string
  elWs: string
  rollup: string
  replicaEl: string
  replicaElWs: string
  replicaRollup: string
  /** A funded dev account (index 5) and the emitter it deployed. */
  account: PrivateKeyAccount
  emitter: Address
  /** Hash of a transaction that emitted `Ping(account, 7)`. */
  pingTx: Hex
  /** Sends a `Ping(account, value)` call and waits for its receipt. */
  ping(value: bigint): Promise<{ hash: Hex; blockNumber: bigint }>
}

/** Starts the devnet (call from `beforeAll`); `stop` removes everything. */
export async function startClientDevnet(runtime: 'process' | 'docker', name: string): Promise<{ ctx: ClientContext; stop(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), `op-devnet-${name}-`))
  const topology = suiteTopology()
  topology.name = name
  // The suites test the L2 RPC, not window expiry: a 20-block window is 10 s of wall time at speed 4, which a
  // starved batcher on a busy CI machine can miss (deposit-only blocks then replace the sequencer's).
  topology.l2.sequencingWindow = 80
  const devnet = await startDevnet({ topology, runtime, ports: 'auto', stateDir, speed: testSpeed })
  const stop = async () => {
    await devnet.stop()
    rmSync(stateDir, { recursive: true, force: true })
  }
  try {
    const account = privateKeyToAccount(devnet.keys.accounts[5].privateKey)
    const l2 = devnet.l2()
    const wallet = createWalletClient({ account, chain: l2.chain, transport: http(devnet.endpoints.sequencer.el) })
    const deploy = await wallet.sendTransaction({ data: EMITTER_INITCODE })
    const emitter = (await l2.waitForTransactionReceipt({ hash: deploy, timeout: 30_000 })).contractAddress!
    const ping = async (value: bigint) => {
      const hash = await wallet.sendTransaction({ to: emitter, data: pad(numberToHex(value)) })
      const receipt = await l2.waitForTransactionReceipt({ hash, timeout: 30_000 })
      return { hash, blockNumber: receipt.blockNumber }
    }
    const { hash: pingTx } = await ping(7n)
    const e = devnet.endpoints
    // The sequencer builds the blocks of the start's duration at once (from genesis, fixed when the devnet
    // was planned), and on a busy machine the safe heads take a while to follow: the suites judge a settled
    // devnet, safe a few blocks behind unsafe.
    await waitSettled(devnet, SETTLED_LAG)
    // The suites read `finalized` as a block above genesis (viem, ethers): L1 finalizes a batch first.
    for (const rollup of [e.sequencer.rollup, e['replica-0'].rollup]) {
      await waitFor('a finalized L2 block above genesis', async () => (await syncStatus(rollup)).finalized_l2.number > 0, 60_000, 200)
    }
    return {
      ctx: {
        devnet, account, emitter, pingTx, ping,
        el: e.sequencer.el, elWs: e.sequencer.elWs, rollup: e.sequencer.rollup,
        replicaEl: e['replica-0'].el, replicaElWs: e['replica-0'].elWs, replicaRollup: e['replica-0'].rollup,
      },
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
