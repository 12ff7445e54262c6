/**
 * Withdrawal round trip with the default topology (process runtime): `initiateWithdrawal` sent on L2 to
 * `finalizeWithdrawal` mined on L1 (`withdrawalRoundTrip`: the proposer's game covering the block, prove,
 * resolution once the game clock ran out, finalize after the portal's delays), a few in a row on one devnet.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startDevnet } from '../src/devnet/index.js'
import { withdrawalRoundTrip } from '../src/devnet/withdrawal.js'
import type { Figure } from './report.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

export async function benchWithdrawal(runs = 3): Promise<Figure[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-withdrawal-'))
  const devnet = await startDevnet({ runtime: 'process', ports: 'auto', stateDir })
  const total: number[] = []
  const stages = { game: [] as number[], proven: [] as number[], resolved: [] as number[] }
  try {
    for (let i = 0; i < runs; i++) {
      const account = privateKeyToAccount(devnet.keys.accounts[5 + i].privateKey)
      const { at } = await withdrawalRoundTrip(devnet, { account, value: parseEther('0.01'), timeoutMs: 120_000 })
      total.push(at.finalized / 1000)
      stages.game.push(at.game / 1000)
      stages.proven.push(at.proven / 1000)
      stages.resolved.push(at.resolved / 1000)
    }
  } finally {
    await devnet.stop()
    rmSync(stateDir, { recursive: true, force: true })
  }
  const s = devnet.topology.settlement
  const defaults = `ALPHABET, clock ${s.maxClockDuration} s, interval ${s.proposalIntervalSeconds} s, delays ${s.proofMaturityDelaySeconds}+${s.disputeGameFinalityDelaySeconds} s`
  return [
    { name: `withdrawal round trip, initiate to finalized (${defaults})`, value: median(total), unit: 's', target: '<= 60 s', ok: median(total) <= 60, runs: total },
    { name: '  of which: a game covers the withdrawal block', value: median(stages.game), unit: 's', runs: stages.game },
    { name: '  proven on the portal', value: median(stages.proven), unit: 's', runs: stages.proven },
    { name: '  game resolved DEFENDER_WINS', value: median(stages.resolved), unit: 's', runs: stages.resolved },
  ]
}
