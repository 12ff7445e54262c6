/**
 * `devnet chaos`: a seeded random fault schedule on a fresh devnet (progress on stderr, the summary on
 * stdout; a failing run's summary starts with its replay file), and `devnet chaos --shrink <replay.yaml>`.
 */
import { DevnetError } from '../../errors.js'
import { faultsByKind, runChaos, shrinkScenario, unitLabel, type Intensity } from '../../chaos/index.js'
import { formatDuration, parseDuration } from '../../scenario/duration.js'
import { drawSeed } from '../../scenario/random.js'
import { describeStalls } from '../../scenario/stallWatch.js'
import type { ChaosCliOptions } from '../options.js'

const usage = (message: string) => new DevnetError(message, { code: 'DEVNET_USAGE' })
const say = (line: string) => process.stderr.write(`${line}\n`)
const at = (ms: number) => `${(ms / 1000).toFixed(1)}s`.padStart(7)

/**
 * Ctrl-C, `kill`, the terminal closing: exit at once through `process.exit`, whose hooks kill the run's
 * services (or remove its containers) and remove its state directory. Without it the default action ended
 * the process without those hooks and left every service running.
 */
function exitOnSignals(): void {
  const exit = (signal: NodeJS.Signals) => {
    say(`\n${signal}: stopping the run (its services and state directory are removed)`)
    process.exit(130)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, exit)
}

export async function chaos(opts: ChaosCliOptions): Promise<void> {
  exitOnSignals()
  if (opts.shrink) return shrink(opts)
  const durationMs = parseDuration(opts.duration)
  if (durationMs === undefined) throw usage(`--duration: expected a duration > 0 like 30m or 90s, found ${JSON.stringify(opts.duration)}`)
  const seed = opts.seed ?? drawSeed()
  const run = await runChaos({
    durationMs,
    seed,
    faults: opts.faults?.split(',').map((f) => f.trim()).filter(Boolean),
    intensity: opts.intensity as Intensity,
    file: opts.file,
    runtime: opts.runtime,
    speed: opts.speed,
    reportDir: opts.report,
    onSchedule: (schedule, file) => {
      say(`chaos: seed ${seed}, ${formatDuration(durationMs)}${opts.speed === 1 ? '' : ` at speed ${opts.speed}`}, intensity ${schedule.intensity}, ${schedule.faults.length} faults from ${schedule.pool.join(', ')}`)
      say(`background load: ${schedule.load.map((l) => `${l.tx} ${l.rate}/s`).join(', ')}`)
      say(`replay file: ${file}`)
    },
    onStep: (step, r) => {
      if (r && step.kind === 'fault') say(`${at(r.startedAt)}  ${r.status === 'passed' ? '✔' : '✖'} ${step.label}${r.message ? ` — ${r.message}` : ''}`)
    },
    onViolation: (v) => say(`${at(v.t)}  ✖ invariant ${v.invariant}: ${v.message}`),
  })
  const { result, history, replayFile, reports } = run
  const kinds = Object.entries(faultsByKind(history)).map(([k, n]) => `${k} ${n}`)
  const stalled = describeStalls(history.stalls)
  const lines = [
    `faults applied: ${kinds.join(', ') || 'none'}`,
    ...(stalled ? [stalled] : []),
    `violations: ${result.violations.length}${result.violations.length ? ` (${[...new Set(result.violations.map((v) => v.invariant))].join(', ')})` : ''}`,
    ...result.violations.slice(0, 8).map((v) => `  ${at(v.t)} ${v.invariant}: ${v.message}`),
    ...result.steps.filter((s) => s.status === 'failed').map((s) => `  step "${s.label}" failed: ${s.message ?? ''}`),
    ...(result.error ? [`  error: ${result.error.message}`] : []),
    `reports: ${reports.html}, ${reports.json}, ${reports.junit}`,
  ]
  if (result.passed) {
    console.log([`chaos run passed (seed ${seed}, ${(result.durationMs / 1000).toFixed(0)}s)`, ...lines, `replay: ${replayFile}`].join('\n'))
    return
  }
  console.log([`replay: ${replayFile}`, `chaos run failed (seed ${seed}); narrow it with: devnet chaos --shrink ${replayFile}`, ...lines].join('\n'))
  throw new DevnetError(`chaos run failed; replay: ${replayFile}`, { code: 'DEVNET_SERVICE_FAILED' })
}

async function shrink(opts: ChaosCliOptions): Promise<void> {
  const { needed, removed, failure, file, runs } = await shrinkScenario(opts.shrink!, {
    runtime: opts.runtime,
    speed: opts.speed,
    onRun: ({ kept, fails }) => say(`run with ${kept.length} fault(s): ${fails ? 'fails' : 'passes'}`),
  })
  console.log(
    [
      `needed to reproduce (${failure.join('; ')}): ${needed.length} of ${needed.length + removed.length} faults`,
      ...needed.map((u) => `  ${unitLabel(u)}${u.heal ? ` (healed by ${u.heal.label} at ${at(u.heal.atMs ?? 0).trim()})` : ''}`),
      `narrowed scenario: ${file} (${runs} runs)`,
    ].join('\n'),
  )
}
