/**
 * Chaos end to end on the process runtime, with a planted defect: the batcher, started with
 * DEVNET_TEST_DEFECT=batcher-skips-channel-after-reorg (read only when this test sets it), drops the
 * first channel after an L1 reorg makes it start over. A short chaos run must catch it, `shrinkScenario`
 * must narrow the schedule to the reorg, and the replays it runs must fail the same way; without the
 * defect, the narrowed schedule keeps the safe heads moving. About five minutes, so in the full tier
 * (`npm run test:full`); the one-minute load run is `../chaos.test.ts`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { planChaos } from '../../src/chaos/schedule.js'
import { runChaos } from '../../src/chaos/run.js'
import { shrinkScenario } from '../../src/chaos/shrink.js'
import { loadScenario } from '../../src/scenario/load.js'
import { runScenario } from '../../src/scenario/runner.js'
import { defaultTopology } from '../../src/topology/defaults.js'

const dir = mkdtempSync(join(tmpdir(), 'op-devnet-chaos-test-'))
afterAll(() => {
  delete process.env.DEVNET_TEST_DEFECT
  rmSync(dir, { recursive: true, force: true })
})

/** 75 s runs drawing latency and reorgs: seed 12 gives a latency window (25.1-30.4 s), then a depth-3 reorg at 43 s. */
const options = { durationMs: 75_000, seed: 12, faults: ['latency', 'l1Reorg'] }

describe('chaos with a planted defect (process runtime)', () => {
  test('behavior: a chaos run catches the defect, --shrink narrows it to the reorg, the replays reproduce it', async () => {
    const schedule = planChaos(defaultTopology(), options)
    expect(schedule.faults.map((f) => f.fault.name)).toEqual(['latency', 'l1Reorg'])

    process.env.DEVNET_TEST_DEFECT = 'batcher-skips-channel-after-reorg'
    const run = await runChaos({ ...options, runtime: 'process', reportDir: join(dir, 'run') })
    const invariants = new Set(run.result.violations.map((v) => v.invariant))
    expect(run.result.passed, JSON.stringify(run.result.violations.slice(0, 3))).toBe(false)
    expect(invariants).toContain('safeLiveness')
    expect(run.history.events.filter((e) => e.kind === 'fault-start').map((e) => e.name)).toEqual(['latency', 'l1Reorg'])
    expect(existsSync(run.reports.html) && existsSync(run.reports.json) && readFileSync(run.reports.junit, 'utf8')).toContain('<testcase name="safeLiveness"')
    expect((await loadScenario(run.replayFile)).steps.filter((s) => s.kind === 'fault').map((s) => s.label)).toEqual([
      'fault latency service=replica-0 ms=472 jitter=7',
      'fault clearLinkFaults service=replica-0',
      'fault l1Reorg depth=3 reinclude=false allowFinalized=false',
    ])

    const runs: Array<{ kept: string[]; fails: boolean; invariants: string[] }> = []
    const shrunk = await shrinkScenario(run.replayFile, {
      runtime: 'process',
      onRun: ({ kept, fails, result }) => runs.push({ kept, fails, invariants: result.violations.map((v) => v.invariant) }),
    })
    // The whole replay, then without the latency window: both fail, on safe liveness.
    expect(runs.map((r) => [r.kept.length, r.fails])).toEqual([
      [2, true],
      [1, true],
    ])
    for (const r of runs) expect(r.invariants).toContain('safeLiveness')
    expect(shrunk.needed.map((u) => u.fault.fault.name)).toEqual(['l1Reorg'])
    expect(shrunk.removed.map((u) => u.fault.fault.name)).toEqual(['latency'])
    expect(shrunk.failure).toContain('invariant safeLiveness')
    const narrowed = await loadScenario(shrunk.file)
    expect(narrowed.steps.filter((s) => s.kind === 'fault').map((s) => s.label)).toEqual(['fault l1Reorg depth=3 reinclude=false allowFinalized=false'])

    // The control: the same narrowed schedule without the defect keeps the safe heads moving.
    delete process.env.DEVNET_TEST_DEFECT
    const { result } = await runScenario(shrunk.file, { runtime: 'process' })
    expect(result.violations.filter((v) => v.invariant === 'safeLiveness')).toEqual([])
  }, 900_000)
})
