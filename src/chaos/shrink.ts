/**
 * Narrowing a failing schedule: `devnet chaos --shrink <replay.yaml>` runs the scenario with one fault
 * (and its heal) removed at a time and keeps each removal after which the run still fails the same way
 * (a violation of an invariant the first run violated, or the same step failing). What is left is the
 * set of faults the failure needs, written as a scenario file of its own.
 */
import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { isSeq, parseDocument } from 'yaml'
import { DevnetError } from '../errors.js'
import { faultDefinition } from '../faults/registry.js'
import { overlapping } from '../faults/context.js'
import { loadScenario, parseScenario } from '../scenario/load.js'
import { runScenario } from '../scenario/runner.js'
import type { FaultStep, Scenario, ScenarioResult, Step } from '../scenario/types.js'

/** A fault step of a scenario and the step that heals it (the first later recovery that ends its window). */
export interface FaultUnit {
  fault: FaultStep
  heal?: FaultStep
}

/**
 * The faults of a scenario, each with its heal: a `window` fault is paired with the first later fault
 * step named in its `endedBy` on an overlapping target (as `closeWindows` does at run time); recoveries,
 * and an instant fault used as a heal (`restart` ending a `crash`), are not units of their own.
 */
export function faultUnits(steps: readonly Step[]): FaultUnit[] {
  const faults = steps.filter((s): s is FaultStep => s.kind === 'fault')
  const used = new Set<number>()
  return faults.flatMap((step, i) => {
    const def = faultDefinition(step.fault.name)
    if (def.lasts === 'recovery' || used.has(step.index)) return []
    if (def.lasts === 'instant') return [{ fault: step }]
    const targets = def.targets(step.fault.args)
    const heal = faults
      .slice(i + 1)
      .find((later) => !used.has(later.index) && def.endedBy?.includes(later.fault.name) && overlapping(targets, faultDefinition(later.fault.name).targets(later.fault.args)))
    if (heal) used.add(heal.index)
    return [{ fault: step, ...(heal ? { heal } : {}) }]
  })
}

/** How a run failed: the invariants it violated, the steps that failed (by label), the error. */
export function failureOf(result: ScenarioResult): Set<string> {
  return new Set([
    ...result.violations.map((v) => `invariant ${v.invariant}`),
    ...result.steps.filter((s) => s.status === 'failed').map((s) => `step ${s.label}`),
    ...(result.error ? [`error ${result.error.message}`] : []),
  ])
}

/** The scenario text without the steps at `indices` (comments, topology and the rest kept). */
export function withoutSteps(text: string, indices: ReadonlySet<number>): string {
  const doc = parseDocument(text)
  const steps = doc.get('steps')
  if (!isSeq(steps)) throw new DevnetError('shrink: the scenario has no steps list', { code: 'DEVNET_USAGE' })
  steps.items = steps.items.filter((_, i) => !indices.has(i))
  return doc.toString({ lineWidth: 0 })
}

export interface ShrinkOptions {
  runtime?: 'process' | 'docker'
  /** Devnet clock speed of every run. @default 1 */
  speed?: number
  /** Where the narrowed scenario goes. @default next to the file, `<file>.min.yaml` */
  output?: string
  /** Each run: which faults it kept (labels) and its result. */
  onRun?: (run: { kept: string[]; result: ScenarioResult; fails: boolean }) => void
}

export interface ShrinkReturnType {
  /** The faults the failure needs (their steps, in order). */
  needed: FaultUnit[]
  /** Faults removed. */
  removed: FaultUnit[]
  /** How the original run failed. */
  failure: string[]
  /** The narrowed scenario file. */
  file: string
  runs: number
}

/** A fault's step label and time, `fault crash service=batcher at 42.0s`. */
export const unitLabel = (unit: FaultUnit) => `${unit.fault.label}${unit.fault.atMs === undefined ? '' : ` at ${(unit.fault.atMs / 1000).toFixed(1)}s`}`

/**
 * Narrows a failing scenario (a chaos replay or any scenario with fault steps) to the faults its failure
 * needs, removing one fault and its heal at a time. Runs it 1 + (number of faults) times.
 * @throws DevnetError `DEVNET_USAGE` when the scenario does not fail to begin with.
 * @example
 * const { needed, file } = await shrinkScenario('reports/chaos-seed-1/replay.yaml', { runtime: 'process' })
 */
export async function shrinkScenario(file: string, options: ShrinkOptions = {}): Promise<ShrinkReturnType> {
  const scenario = await loadScenario(file)
  const text = await readFile(file, 'utf8')
  const units = faultUnits(scenario.steps)
  if (!units.length) throw new DevnetError(`shrink: ${file} has no fault steps to remove`, { code: 'DEVNET_USAGE' })
  let runs = 0
  const attempt = async (candidate: Scenario, kept: FaultUnit[]) => {
    const { result } = await runScenario(candidate, { runtime: options.runtime, speed: options.speed })
    runs++
    return { result, kept: kept.map(unitLabel) }
  }
  const first = await attempt(scenario, units)
  const failure = failureOf(first.result)
  options.onRun?.({ ...first, fails: !first.result.passed })
  if (first.result.passed) throw new DevnetError(`shrink: ${file} passed; there is no failure to narrow (a flaky failure? run it with --repeat)`, { code: 'DEVNET_USAGE' })
  let kept = units
  const removedSteps = new Set<number>()
  for (const unit of units) {
    if (kept.length === 1) break
    const without = new Set([...removedSteps, unit.fault.index, ...(unit.heal ? [unit.heal.index] : [])])
    const candidateText = withoutSteps(text, without)
    const candidate = parseScenario(candidateText, file)
    const rest = kept.filter((u) => u !== unit)
    const run = await attempt(candidate, rest)
    const again = failureOf(run.result)
    const fails = [...again].some((f) => failure.has(f))
    options.onRun?.({ ...run, fails })
    if (fails) {
      kept = rest
      for (const i of without) removedSteps.add(i)
    }
  }
  const out = options.output ?? `${file.replace(/\.ya?ml$/, '')}.min.yaml`
  writeFileSync(out, withoutSteps(text, removedSteps))
  return { needed: kept, removed: units.filter((u) => !kept.includes(u)), failure: [...failure], file: out, runs }
}
