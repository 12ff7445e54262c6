/**
 * The devnet clock end to end (process runtime): a shipped scenario at --speed 4 passes with every
 * invariant holding, and L1 and L2 time ran about 4x faster than wall time (generous bounds: this checks
 * the clock, it is no benchmark). A topology that keeps wall time refuses a speed before anything starts.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { startDevnet } from '../src/devnet/start.js'
import { DevnetError } from '../src/errors.js'
import type { History } from '../src/devnet/history.js'
import { runScenario } from '../src/scenario/runner.js'
import { parseTopology } from '../src/topology/parse.js'

const scenario = new URL('../scenarios/l1-reorg-shallow.yaml', import.meta.url).pathname

/**
 * Chain seconds per wall second from the clock's origin (the L2 genesis time, where chain and wall time
 * coincide) to the last of `series` (`t`: chain ms since `startedAt`, so wall = startedAt + t / speed).
 * Measured from the origin, not between two samples: anvil mines late under load and catches up in a
 * burst, which skews a window of a few seconds but not the whole run.
 */
function rate(series: Array<{ t: number; ts: number }>, history: History, originS: number): number {
  const speed = history.speed ?? 1
  const last = series.at(-1)!
  const wallS = (history.startedAt + last.t / speed) / 1000
  return (last.ts - originS) / (wallS - originS)
}

describe('devnet clock', () => {
  test('behavior: l1-reorg-shallow at --speed 4 passes, chain time ~4x wall time, the report records the speed', async () => {
    const { result, history } = await runScenario(scenario, { runtime: 'process', speed: 4 })
    const why = [...result.steps.filter((s) => s.status === 'failed').map((s) => `${s.label}: ${s.message}`), ...result.violations.map((v) => `${v.invariant}: ${v.message}`), result.error?.message]
    expect(result.passed, why.filter(Boolean).join('\n')).toBe(true)
    expect(result.speed).toBe(4)
    expect(history.speed).toBe(4)
    expect(result.invariants.length).toBeGreaterThan(5)
    const sequencerSamples = history.samples.filter((s) => s.node === 'sequencer')
    const genesis = sequencerSamples[0].unsafe
    const originS = genesis.timestamp - genesis.number // fixtures/devnet.yaml: L2 block time 1 s
    const l1 = rate(history.l1.map((s) => ({ t: s.t, ts: s.head.timestamp })), history, originS)
    const sequencer = rate(sequencerSamples.map((s) => ({ t: s.t, ts: s.unsafe.timestamp })), history, originS)
    console.info(`speed 4: L1 ${l1.toFixed(2)} and L2 ${sequencer.toFixed(2)} chain s per wall s over ${(result.durationMs / 1000).toFixed(1)} s wall`)
    for (const r of [l1, sequencer]) {
      expect(r).toBeGreaterThan(2.5)
      expect(r).toBeLessThan(5.5)
    }
  }, 300_000)

  test('error: a conductor topology (etcd keeps wall time) refuses --speed 4 before starting anything', async () => {
    const ha = parseTopology(readFileSync(new URL('../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml')
    const error = await startDevnet({ topology: ha, runtime: 'process', ports: 'auto', stateDir: '/nonexistent/never-created', speed: 4 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetError)
    expect((error as DevnetError).code).toBe('DEVNET_USAGE')
    expect((error as DevnetError).message).toMatch(/--speed 4 cannot run a topology with conductors/)
  })
})
