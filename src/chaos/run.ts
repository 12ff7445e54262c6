/**
 * `runChaos`: a seeded random fault schedule on a fresh devnet under background load, every invariant
 * checked throughout (with the scenario rules: fault windows suspend what a fault stops). The schedule is
 * written first as a scenario file (the replay) and run by the scenario runner, so a replay is the same
 * run: same topology, seed, load and faults at the same times.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import type { History, Violation } from '../devnet/history.js'
import { DevnetError } from '../errors.js'
import { allInvariants } from '../invariants/index.js'
import { parseScenario } from '../scenario/load.js'
import { invariantJUnitReport } from '../scenario/report/index.js'
import { runScenario } from '../scenario/runner.js'
import type { ScenarioResult, Step, StepResult } from '../scenario/types.js'
import { defaultTopology } from '../topology/defaults.js'
import { loadTopology } from '../topology/parse.js'
import { replayYaml } from './replay.js'
import { planChaos, type ChaosOptions, type ChaosSchedule } from './schedule.js'

export interface RunChaosOptions extends ChaosOptions {
  /** devnet.yaml to run (inlined into the replay). @default the default topology */
  file?: string
  runtime?: 'process' | 'docker'
  /** Where the replay and reports go. @default `reports/chaos-seed-<seed>` */
  reportDir?: string
  /** Called with the replay file once it is written, before the devnet starts. */
  onSchedule?: (schedule: ChaosSchedule, replayFile: string) => void
  onStep?: (step: Step, result?: StepResult) => void
  onViolation?: (v: Violation) => void
}

export interface RunChaosReturnType {
  schedule: ChaosSchedule
  /** The scenario file that replays the run. */
  replayFile: string
  /** `<name>.json` (result and history), `<name>.html` (timeline), `junit.xml` (one case per invariant). */
  reports: { json: string; html: string; junit: string }
  result: ScenarioResult
  history: History
}

/**
 * Plans the schedule (bad options throw before anything starts), writes the replay, runs it, writes
 * the reports.
 * @throws DevnetError `DEVNET_USAGE` for bad options (see `planChaos`), `DEVNET_SPEC_*` for a bad file.
 * @example
 * const { result, replayFile } = await runChaos({ durationMs: 180_000, seed: 1, runtime: 'process' })
 */
export async function runChaos(options: RunChaosOptions): Promise<RunChaosReturnType> {
  const topology = options.file ? await loadTopology(options.file) : defaultTopology()
  const schedule = planChaos(topology, options)
  const dir = resolve(options.reportDir ?? join('reports', `chaos-seed-${schedule.seed}`))
  const name = `chaos-seed-${schedule.seed}`
  const text = replayYaml(schedule, { name, ...(options.file ? { topology: parse(readFileSync(options.file, 'utf8')) } : {}) })
  const replayFile = join(dir, 'replay.yaml')
  const scenario = parseScenario(text, replayFile)
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(replayFile, text)
  } catch (error) {
    throw new DevnetError(`--report: cannot write ${replayFile}: ${(error as Error).message}`, { code: 'DEVNET_USAGE', cause: error })
  }
  options.onSchedule?.(schedule, replayFile)
  const { result, history } = await runScenario(scenario, {
    runtime: options.runtime,
    seed: schedule.seed,
    speed: options.speed,
    reportDir: dir,
    onStep: options.onStep,
    onViolation: options.onViolation,
  })
  const reports = { json: join(dir, `${name}.json`), html: join(dir, `${name}.html`), junit: join(dir, 'junit.xml') }
  writeFileSync(reports.junit, invariantJUnitReport(result, { suite: `op-devnet chaos (seed ${schedule.seed})`, invariants: allInvariants.map((i) => i.id) }))
  return { schedule, replayFile, reports, result, history }
}

/** Faults applied by kind: the `fault-start` events of a history (recoveries record none). */
export function faultsByKind(history: History): Record<string, number> {
  const out: Record<string, number> = {}
  for (const e of history.events) if (e.kind === 'fault-start') out[e.name] = (out[e.name] ?? 0) + 1
  return out
}
