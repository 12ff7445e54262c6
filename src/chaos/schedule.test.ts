import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { DevnetError } from '../errors.js'
import { namesOf } from '../faults/checks.js'
import { faultDefinition, FAULT_NAMES, type FaultCall } from '../faults/registry.js'
import { parseScenario } from '../scenario/load.js'
import { defaultTopology } from '../topology/defaults.js'
import { parseTopology } from '../topology/parse.js'
import { replayYaml } from './replay.js'
import { runChaos } from './run.js'
import { CHAOS_LOAD, chaosTiming, drawableFaults, faultPool, INTENSITIES, planChaos, type ChaosSchedule, type Intensity } from './schedule.js'

const topology = defaultTopology()
const threeNodes = parseTopology('l2: { replicas: 2 }', 'devnet.yaml')
const singleNode = parseTopology('l2: { replicas: 0 }', 'devnet.yaml')
const ha = parseTopology(readFileSync(new URL('../../fixtures/ha.yaml', import.meta.url), 'utf8'), 'ha.yaml')
const conductorFaults = ['transferLeader', 'conductorPause', 'etcdPartition']

function usageError(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(DevnetError)
    expect((error as DevnetError).code).toBe('DEVNET_USAGE')
    return (error as Error).message
  }
  throw new Error('expected a DEVNET_USAGE error')
}

/** Services a fault touches until healed or needs working (every service for a global heal). */
function touched(call: FaultCall, heal: FaultCall | undefined, names: ReturnType<typeof namesOf>): string[] {
  const def = faultDefinition(call.name)
  const lists = [def.targets(call.args), def.chaos?.uses?.(call.args, names) ?? [], ...(heal ? [faultDefinition(heal.name).targets(heal.args)] : [])]
  return lists.some((l, i) => i !== 1 && l.length === 0) ? names.services : [...new Set(lists.flat())]
}

/** Checks the rules every schedule keeps; returns the most faults acting at once. */
function checkRules(schedule: ChaosSchedule, names = namesOf(topology)): number {
  const { warmupMs, cooldownMs, instantHoldMs } = chaosTiming
  const spans = schedule.faults.map((f) => {
    expect(f.at).toBeGreaterThan(warmupMs)
    const end = f.heal?.at ?? f.at + Math.max(instantHoldMs, faultDefinition(f.fault.name).chaos!.holdMs?.(names) ?? 0)
    if (f.heal) expect(f.heal.at).toBeLessThanOrEqual(schedule.durationMs - cooldownMs)
    expect(faultDefinition(f.fault.name).lasts === 'window').toBe(f.heal !== undefined)
    return { start: f.at, end, services: touched(f.fault, f.heal?.fault, names) }
  })
  let most = 0
  for (const a of spans) {
    const acting = spans.filter((b) => b.start <= a.start && a.start < b.end)
    most = Math.max(most, acting.length)
    for (const b of acting) if (b !== a) expect(b.services.some((s) => a.services.includes(s)), `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`).toBe(false)
  }
  return most
}

describe('planChaos', () => {
  test('default: the same seed gives the same schedule, another seed another one', () => {
    const options = { durationMs: 10 * 60_000, seed: 1 }
    const a = planChaos(topology, options)
    const b = planChaos(defaultTopology(), { ...options })
    expect(a.faults.length).toBeGreaterThan(10)
    expect(b).toEqual(a)
    expect(replayYaml(b)).toBe(replayYaml(a))
    expect(planChaos(topology, { ...options, seed: 2 }).faults).not.toEqual(a.faults)
  })

  test('default: every drawable fault the topology hosts is in the pool, recoveries and broken-on-purpose faults never are', () => {
    const { pool } = planChaos(topology, { durationMs: 60_000, seed: 1 })
    expect(pool).toEqual(drawableFaults().filter((name) => !conductorFaults.includes(name)))
    expect(pool).toEqual(expect.arrayContaining(['staleBackend', 'invalidProposal', 'propose', 'challengerOutage']))
    for (const name of ['heal', 'start', 'resume', 'l1Resume', 'batcherResume', 'clearLinkFaults', 'overrideLeader', 'failover']) expect(pool).not.toContain(name)
    expect(planChaos(singleNode, { durationMs: 60_000, seed: 1, intensity: 'low' }).pool).not.toContain('partition')
    const haPool = planChaos(ha, { durationMs: 60_000, seed: 1 }).pool
    expect(haPool).toEqual(drawableFaults())
    expect(haPool).not.toContain('overrideLeader')
    expect(faultPool({ ...namesOf(topology), services: namesOf(topology).services.filter((s) => s !== 'proposer') })).not.toEqual(
      expect.arrayContaining(['invalidProposal']),
    )
  })

  test('default: the background load sends transfers, deposits and withdrawals for the whole run, and the replay holds it', () => {
    const schedule = planChaos(topology, { durationMs: 120_000, seed: 1 })
    expect(schedule.load).toEqual([{ tx: 'transfers', rate: CHAOS_LOAD.transfers }, { tx: 'deposits', rate: CHAOS_LOAD.deposits }, { tx: 'withdrawals', rate: CHAOS_LOAD.withdrawals }])
    const loads = parseScenario(replayYaml(schedule), 'replay.yaml').steps.filter((s) => s.kind === 'load')
    expect(loads.map((s) => [s.tx ?? 'transfers', s.rate, s.durationMs, s.atMs])).toEqual(schedule.load.map((l) => [l.tx, l.rate, 120_000, undefined]))
  })

  test('behavior: conductor faults are drawn in a conductor topology, one at a time, with their heals', () => {
    const schedule = planChaos(ha, { durationMs: 30 * 60_000, seed: 5, faults: [...conductorFaults, 'crash'], intensity: 'medium' })
    checkRules(schedule, namesOf(ha))
    const drawn = schedule.faults.filter((f) => conductorFaults.includes(f.fault.name))
    expect(new Set(drawn.map((f) => f.fault.name))).toEqual(new Set(conductorFaults))
    for (const f of drawn) {
      if (f.fault.name === 'conductorPause') expect(f.heal?.fault).toEqual({ name: 'conductorResume', args: f.fault.args })
      if (f.fault.name === 'etcdPartition') expect(f.heal?.fault).toEqual({ name: 'etcdHeal', args: f.fault.args })
      if (f.fault.name === 'transferLeader') expect(f.heal).toBeUndefined()
    }
    const spans = drawn.map((f) => [f.at, f.heal?.at ?? f.at + chaosTiming.instantHoldMs])
    for (const [i, [start]] of spans.entries()) expect(spans.filter(([s, e], j) => j !== i && s <= start && start < e)).toEqual([])
  })

  test('behavior: faults respect warm-up, cool-down, heals and the intensity; no two acting faults touch a service in common', () => {
    for (const intensity of Object.keys(INTENSITIES) as Intensity[]) {
      let most = 0
      for (let seed = 0; seed < 20; seed++) most = Math.max(most, checkRules(planChaos(threeNodes, { durationMs: 20 * 60_000, seed, intensity }), namesOf(threeNodes)))
      expect(most).toBe(INTENSITIES[intensity].concurrent)
    }
  })

  test('behavior: the replay holds the schedule; every drawn argument passes the registry checks', () => {
    for (const [t, seed, doc] of [[topology, 3, undefined], [threeNodes, 4, { l2: { replicas: 2 } }]] as const) {
      const schedule = planChaos(t, { durationMs: 30 * 60_000, seed, intensity: 'high' })
      const scenario = parseScenario(replayYaml(schedule, { topology: doc }), 'replay.yaml')
      expect(scenario.topology).toEqual(t)
      const expected = schedule.faults
        .flatMap((f) => [{ at: f.at, fault: f.fault }, ...(f.heal ? [{ at: f.heal.at, fault: f.heal.fault }] : [])])
        .sort((a, b) => a.at - b.at)
      const steps = scenario.steps.filter((s) => s.kind === 'fault')
      expect(steps.map((s) => ({ at: s.atMs, fault: s.fault }))).toEqual(expected)
      expect(scenario.seed).toBe(seed)
      expect(scenario.steps.at(-1)).toMatchObject({ kind: 'sleep', atMs: schedule.durationMs - 5000 })
      expect(new Set(steps.map((s) => s.fault.name)).size).toBeGreaterThan(8)
    }
  })

  test('behavior: --faults limits the pool; reorgs stay above L1 finalized', () => {
    const schedule = planChaos(topology, { durationMs: 30 * 60_000, seed: 9, faults: ['l1Reorg', 'crash'], intensity: 'low' })
    expect(schedule.pool).toEqual(['l1Reorg', 'crash'])
    expect(new Set(schedule.faults.map((f) => f.fault.name))).toEqual(new Set(['l1Reorg', 'crash']))
    const depths = schedule.faults.flatMap((f) => (f.fault.name === 'l1Reorg' ? [f.fault.args.depth] : []))
    expect(Math.max(...depths)).toBe(2 * topology.l1.slotsPerEpoch)
    for (const f of schedule.faults) if (f.fault.name === 'crash') expect(f.heal?.fault).toEqual({ name: 'start', args: { service: f.fault.args.service, fresh: false } })
  })

  test('error: a fault not in the registry, a recovery, a fault the topology cannot host, an empty list', () => {
    const drawable = drawableFaults().join(', ')
    expect(usageError(() => planChaos(topology, { durationMs: 60_000, seed: 1, faults: ['l1reorg'] }))).toBe(`--faults: unknown fault "l1reorg"; expected some of: ${drawable}`)
    expect(usageError(() => planChaos(topology, { durationMs: 60_000, seed: 1, faults: ['heal'] }))).toBe(
      `--faults: heal cannot be drawn by chaos runs (a recovery: chaos heals faults itself); expected some of: ${drawable}`,
    )
    expect(usageError(() => planChaos(ha, { durationMs: 60_000, seed: 1, faults: ['overrideLeader'] }))).toBe(
      `--faults: overrideLeader cannot be drawn by chaos runs (${faultDefinition('overrideLeader').neverDrawn}); expected some of: ${drawable}`,
    )
    expect(usageError(() => planChaos(topology, { durationMs: 60_000, seed: 1, faults: ['transferLeader'] }))).toBe(
      '--faults: transferLeader cannot run on this topology: needs a conductor cluster (l2.conductor.enabled, e.g. fixtures/ha.yaml)',
    )
    expect(usageError(() => planChaos(singleNode, { durationMs: 60_000, seed: 1, faults: ['crash', 'partition'] }))).toBe(
      '--faults: partition cannot run on this topology: a partition needs at least 2 rollup nodes; the topology has 1',
    )
    expect(usageError(() => planChaos(topology, { durationMs: 60_000, seed: 1, faults: [] }))).toBe('--faults: expected at least one fault')
    expect(FAULT_NAMES).toContain('heal')
  })

  test('error: a duration of 0 or too short, a bad seed, an unknown intensity or one the faults cannot reach', () => {
    expect(usageError(() => planChaos(topology, { durationMs: 0, seed: 1 }))).toBe('--duration: expected a duration > 0 (e.g. 30m), found 0 ms')
    expect(usageError(() => planChaos(topology, { durationMs: 30_000, seed: 1 }))).toBe(
      '--duration: 30s is too short: a chaos run has a 20s warm-up and a 15s cool-down; give at least 40s',
    )
    expect(usageError(() => planChaos(topology, { durationMs: 60_000, seed: -1 }))).toBe('--seed: expected an integer between 0 and 4294967295, found -1')
    expect(usageError(() => planChaos(topology, { durationMs: 60_000, seed: 1, intensity: 'extreme' as Intensity }))).toBe(
      '--intensity: expected one of: low, medium, high, found "extreme"',
    )
    expect(usageError(() => planChaos(topology, { durationMs: 60_000, seed: 1, faults: ['l1Reorg', 'l1Halt'], intensity: 'medium' }))).toBe(
      '--intensity: medium runs up to 2 faults at once, but l1Reorg, l1Halt on this topology touch overlapping services and can run only 1 at once; use --intensity low or add faults',
    )
    expect(usageError(() => planChaos(threeNodes, { durationMs: 60_000, seed: 1, faults: ['partition'], intensity: 'high' }))).toMatch(/can run only 1 at once/)
    expect(planChaos(threeNodes, { durationMs: 60_000, seed: 1, faults: ['crash'], intensity: 'high' }).pool).toEqual(['crash'])
  })

  test('error: runChaos rejects bad options before it starts anything or writes a file', async () => {
    const reportDir = join(tmpdir(), `op-devnet-chaos-never-${process.pid}`)
    await expect(runChaos({ durationMs: 60_000, seed: 1, faults: ['nope'], reportDir })).rejects.toThrow('--faults: unknown fault "nope"')
    await expect(runChaos({ durationMs: 0, seed: 1, reportDir })).rejects.toThrow('--duration: expected a duration > 0')
    expect(existsSync(reportDir)).toBe(false)
  })
})
