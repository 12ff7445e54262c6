/**
 * etcd for the conductor suites: whether the binary runs here, and one bootstrapped etcd member with an
 * in-process consensus over it (the consensus and control-loop unit suites). The cluster suites run real
 * lite rollup nodes in an HA devnet (test/conductor.test.ts, test/conductor.devnet.test.ts).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { logger } from '../src/components/shared/log.js'
import { EtcdConsensus, type ConsensusOptions } from '../src/components/conductor/consensus.js'
import { startEtcdMember } from '../src/components/conductor/etcdMember.js'
import { bootstrapMembership } from '../src/components/conductor/membership.js'
import { freePort } from '../src/runtime/ports.js'
import { waitFor } from './helpers.js'

/** Whether the etcd binary (Debian's `etcd-server`, or `DEVNET_ETCD_BIN`) runs here. */
export function etcdAvailable(): boolean {
  try {
    execFileSync(process.env.DEVNET_ETCD_BIN ?? 'etcd', ['--version'], { stdio: 'ignore', timeout: 5_000 })
    return true
  } catch {
    return false
  }
}

/**
 * One bootstrapped etcd member (a real child process) with an in-process {@link EtcdConsensus} over
 * it, elected leader before this resolves. For the consensus and conductor unit suites.
 */
export async function startSingleConsensus(id: string, opts: Partial<ConsensusOptions> = {}): Promise<{ cons: EtcdConsensus; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'consensus-'))
  const log = logger(`consensus-${id}`)
  const [peerPort, clientPort] = [await freePort(), await freePort()]
  const addr = `127.0.0.1:${peerPort}`
  const member = await startEtcdMember(
    { bin: process.env.DEVNET_ETCD_BIN ?? 'etcd', name: id, dataDir: join(dir, id), listenHost: '127.0.0.1', peerPort, advertised: addr, clientPort, heartbeatMs: 50, electionMs: 500, snapshotCount: 8192 },
    { kind: 'new' },
    log,
  )
  const cons = new EtcdConsensus({ serverId: id, addr, clientUrl: member.clientUrl, leaseTtlSec: 5, pollMs: 100, transferWindowMs: 2_000, callTimeoutMs: 2_000, ...opts }, log)
  const stop = async () => {
    await cons.shutdown()
    await member.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await bootstrapMembership(cons)
    cons.start()
    await waitFor(`${id} elected`, async () => cons.leader(), 10_000, 50)
  } catch (err) {
    await stop()
    throw err
  }
  return { cons, stop }
}
