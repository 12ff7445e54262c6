/**
 * A plain one-minute chaos run of the default topology on the process runtime: its background load holds
 * deposits and withdrawals beside transfers, judged by the invariants. The chaos run with a planted defect
 * and its shrink is in the full tier, `full/chaos.shrink.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { runChaos } from '../src/chaos/run.js'

const dir = mkdtempSync(join(tmpdir(), 'op-devnet-chaos-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('chaos background load (process runtime)', () => {
  test('behavior: a one-minute run sends deposits through the portal and withdrawals on L2 beside transfers; every invariant holds', async () => {
    // Speed 1: at speed 4 the FAST games' clocks ran out once before the challenger countered a root an L1
    // reorg had made wrong (proposalsValid fired, 1 of 4 CI runs).
    const run = await runChaos({ durationMs: 60_000, seed: 1, runtime: 'process', reportDir: join(dir, 'load') })
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
