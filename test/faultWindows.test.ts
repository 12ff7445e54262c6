/**
 * The hole issue 7 closed, end to end on the process runtime: a replica crashes and is started (the
 * `start` closes the crash window), then its process freezes with no fault recorded (SIGSTOP through the
 * service handle, behind the runner's back). The run must fail with a safeLiveness violation naming the
 * node and the time range.
 */
import { existsSync } from 'node:fs'
import { expect, test } from 'vitest'
import type { Devnet } from '../src/devnet/started.js'
import { defaultLiteEntrypoint } from '../src/devnet/start.js'
import { faultWindows } from '../src/invariants/faultWindows.js'
import { parseScenario } from '../src/scenario/load.js'
import { runScenario } from '../src/scenario/runner.js'
import { testSpeed } from './helpers.js'
import { requires } from './requires.js'

const scenario = `
name: frozen-after-restart
invariants: { liveness: { safeStallMs: 6000 } }
steps:
  - wait: "replica-0.safe >= 2"
  - fault: crash
    args: { service: replica-0 }
  - sleep: 1s
  - fault: start
    args: { service: replica-0 }
  - wait: "replica-0.safe >= 2"
  - sleep: 1s
    label: freeze
  - sleep: 20s
`

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('fault windows on a real devnet', () => {
  // One retry: this failed once in CI with no violation at all; the freeze check above tells why next time.
  test('behavior: a replica frozen after crash and start fails the run with safeLiveness naming it and the time range', { timeout: 240_000, retry: 1 }, async () => {
    let devnet: Devnet | undefined
    let pausing: Promise<void> | undefined
    const { result, history } = await runScenario(parseScenario(scenario, 'frozen-after-restart.yaml'), {
      runtime: 'process',
      speed: testSpeed,
      settleMs: 500,
      onDevnet: (d) => (devnet = d),
      onStep: (step, r) => {
        if (step.label === 'freeze' && !r) pausing = devnet!.service('replica-0').pause()
      },
    })
    await pausing // a refused pause shows here, not as a missing violation
    expect(result.error).toBeUndefined()
    // The freeze took: replica-0 answered no sampling round from a second after it to the end.
    const frozenAt = history.events.find((e) => e.kind === 'step-start' && e.name.includes('freeze'))?.t
    expect(frozenAt).toBeDefined()
    expect(history.samples.filter((s) => s.node === 'replica-0' && s.t > frozenAt! + 1000)).toEqual([])
    expect(result.steps.every((s) => s.status === 'passed')).toBe(true)
    // The crash window closed at the start: its fault-end is named after the crash, by start.
    expect(history.events.filter((e) => e.kind === 'fault-end' && e.name === 'crash').map((e) => e.by)).toEqual(['start'])
    const violations = result.violations.filter((v) => v.invariant === 'safeLiveness')
    // When this fails, the windows and rounds it saw say why (it failed in CI under load, never here).
    const rounds = [...new Set([...history.samples, ...history.l1].map((s) => s.t))].sort((a, b) => a - b).filter((t) => t > frozenAt! - 2000)
    const seen = { frozenAt, rounds, windows: faultWindows(history, 5000).map(({ name, targets, start, end }) => ({ name, targets, start, end })), last: history.samples.filter((s) => s.node === 'replica-0').at(-1), violations: result.violations }
    expect(result.passed, JSON.stringify(seen)).toBe(false)
    expect(violations.map((v) => v.node)).toContain('replica-0')
    expect(violations.find((v) => v.node === 'replica-0')!.message).toMatch(/^replica-0: safe head stalled at \d+ from t=\d+ms to t=\d+ms \(more than 6000ms\)/)
  })
})
