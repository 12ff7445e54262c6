/**
 * A chaos schedule as a scenario file: the replay. `devnet scenario run` on it starts the same topology
 * with the same seed (so the same background load) and applies the same faults at the same times
 * (steps with `at`), then checks the same invariants.
 */
import { Document } from 'yaml'
import type { FaultCall } from '../faults/registry.js'
import { formatDuration } from '../scenario/duration.js'
import type { ChaosSchedule } from './schedule.js'

/** How long the last step of a replay lasts: the run ends `duration` after it started. */
const END_STEP_MS = 5_000

export interface ReplayOptions {
  /** The devnet.yaml the run used, as parsed YAML (inlined); absent: the default topology. */
  topology?: unknown
  /** @default `chaos-seed-<seed>` */
  name?: string
}

/** `at` in seconds with the schedule's 100 ms resolution, `34.8s`. */
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))}s`

/** A fault step, its arguments in flow style (`args: { service: batcher }`). */
const faultStep = (doc: Document, call: FaultCall, at: number) => ({
  fault: call.name,
  ...(Object.keys(call.args).length ? { args: doc.createNode(call.args, { flow: true }) } : {}),
  at: seconds(at),
})

/**
 * The scenario YAML of a schedule: the background loads for the whole run, then every fault and heal as a
 * step at its time, then a last step so the run lasts `durationMs`.
 * @example
 * replayYaml(planChaos(defaultTopology(), { durationMs: 60_000, seed: 1 }))
 */
export function replayYaml(schedule: ChaosSchedule, options: ReplayOptions = {}): string {
  const doc = new Document()
  const timed = schedule.faults.flatMap((f) => [
    { at: f.at, step: faultStep(doc, f.fault, f.at) },
    ...(f.heal ? [{ at: f.heal.at, step: faultStep(doc, f.heal.fault, f.heal.at) }] : []),
  ])
  const end = schedule.durationMs - END_STEP_MS
  doc.contents = doc.createNode({
    name: options.name ?? `chaos-seed-${schedule.seed}`,
    description: `chaos run: seed ${schedule.seed}, ${formatDuration(schedule.durationMs)}, intensity ${schedule.intensity}, faults drawn from ${schedule.pool.join(', ')}`,
    seed: schedule.seed,
    ...(options.topology === undefined ? {} : { topology: options.topology }),
    steps: [
      ...schedule.load.map(({ tx, rate }) => ({
        load: doc.createNode({ rate, duration: formatDuration(schedule.durationMs), ...(tx === 'transfers' ? {} : { tx }) }, { flow: true }),
        label: `background load: ${tx}`,
      })),
      ...timed.toSorted((a, b) => a.at - b.at).map((s) => s.step),
      { sleep: formatDuration(END_STEP_MS), at: seconds(end), label: 'end of the chaos run' },
    ],
  })
  const head = `# Replay of a chaos run (seed ${schedule.seed}): \`devnet scenario run <this file>\` applies the same faults at the\n# same times after the devnet is up; \`devnet chaos --shrink <this file>\` narrows it to the faults a failure needs.\n`
  return head + doc.toString({ lineWidth: 0, flowCollectionPadding: true })
}
