/**
 * A plain one-minute chaos run of the default topology on the process runtime: its background load holds
 * deposits and withdrawals beside transfers, judged by the invariants. The chaos run with a planted defect
 * and its shrink is in the full tier, `full/chaos.shrink.test.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { runChaos } from '../src/chaos/run.js'

const dir = mkdtempSync(join(tmpdir(), 'op-devnet-chaos-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('chaos background load (process runtime)', () => {
  test('behavior: a one-minute run (chain time, speed 4) sends deposits through the portal and withdrawals on L2 beside transfers; every invariant holds', async () => {
    // Speed 4 with game clocks of 40 chain s (10 wall s, the default's wall time at speed 1). With the default
    // 10 chain s a root an L1 reorg made wrong late in its clock left the challenger 2.5 wall s to see the
    // reorg, re-derive and counter; proposalsValid fired in 1 of 4 CI runs. 66 s at speed 1, 18 s here.
    const file = join(dir, 'devnet.yaml')
    writeFileSync(file, 'settlement:\n  maxClockDuration: 40\n')
    const run = await runChaos({ durationMs: 60_000, seed: 1, runtime: 'process', reportDir: join(dir, 'load'), file, speed: 4 })
    expect(run.result.passed, JSON.stringify([run.result.violations.slice(0, 3), run.result.steps.filter((s) => s.status === 'failed')])).toBe(true)
    expect(run.schedule.load.map((l) => l.tx)).toEqual(['transfers', 'deposits', 'withdrawals'])
    const notes = run.history.events.flatMap((e) => (e.kind === 'note' && e.name === 'load' ? [e.details as Record<string, unknown>] : []))
    const byTx = Object.fromEntries(notes.map((n) => [String(n.tx ?? 'transfers'), n]))
    expect(Object.keys(byTx).sort()).toEqual(['deposits', 'transfers', 'withdrawals'])
    expect(byTx.deposits.sent).toBeGreaterThan(5)
    expect(byTx.deposits.failed).toBe(0)
    expect(byTx.withdrawals.sent).toBeGreaterThan(5)
    expect([byTx.withdrawals.landed, byTx.withdrawals.missing]).toEqual([byTx.withdrawals.sent, []])
    // The recorder found the load's deposits on L1 and followed them onto L2.
    const deposits = run.history.deposits!
    expect(deposits.l1.length).toBeGreaterThan(5)
    const included = new Set(deposits.onL2.filter((o) => o.block).map((o) => o.l2Hash))
    expect(deposits.l1.filter((d) => included.has(d.l2Hash)).length).toBeGreaterThan(5)
    expect(run.history.events.some((e) => e.kind === 'fault-start')).toBe(true)
  }, 600_000)
})
