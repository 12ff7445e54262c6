/**
 * `devnet scenario run <file...>` and `devnet scenario list`: one listr2 task per scenario run, its
 * steps shown as they pass or fail; reports (JSON, HTML timeline per scenario, JUnit for all) under
 * `--report`. Exits non-zero when any expectation or invariant fails.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { Listr } from 'listr2'
import { parse } from 'yaml'
import { DevnetError } from '../../errors.js'
import { runScenario } from '../../scenario/runner.js'
import { describeStalls } from '../../scenario/stallWatch.js'
import { writeJUnitReport } from '../../scenario/report/index.js'
import type { ScenarioResult } from '../../scenario/types.js'
import type { ScenarioRunOptions } from '../options.js'

export async function scenarioRun(files: string[], opts: ScenarioRunOptions): Promise<void> {
  const results: ScenarioResult[] = []
  const runs = files.flatMap((file) => Array.from({ length: opts.repeat }, (_, i) => ({ file, i })))
  const listr = new Listr(
    runs.map(({ file, i }) => ({
      title: `${basename(file, '.yaml')}${opts.repeat > 1 ? ` #${i + 1}` : ''}`,
      task: async (_: unknown, task: { title: string; output: string }) => {
        const title = task.title
        const reportDir = opts.report ? (opts.repeat > 1 ? join(opts.report, `run-${i + 1}`) : opts.report) : undefined
        const { result, history } = await runScenario(file, {
          runtime: opts.runtime,
          seed: opts.seed,
          speed: opts.speed,
          reportDir,
          onStep: (step, r) => {
            task.output = r ? `${r.status === 'passed' ? '✔' : '✖'} ${step.label}${r.message ? ` — ${r.message}` : ''}` : `… ${step.label}`
          },
          onViolation: (v) => {
            task.output = `✖ invariant ${v.invariant}: ${v.message}`
          },
        })
        results.push(result)
        const seconds = (result.durationMs / 1000).toFixed(1)
        if (!result.passed) {
          const why = [
            ...result.steps.filter((s) => s.status === 'failed').map((s) => `step "${s.label}": ${s.message ?? 'failed'}`),
            ...result.violations.map((v) => `invariant ${v.invariant}: ${v.message}`),
            ...(result.error ? [result.error.message] : []),
          ]
          throw new Error(`${title} failed (${seconds}s)\n  ${why.slice(0, 8).join('\n  ')}`)
        }
        const stalled = describeStalls(history.stalls)
        task.title = `${title} (${seconds}s)${stalled ? `: ${stalled}` : ''}`
      },
    })),
    { concurrent: false, exitOnError: false, registerSignalListeners: true, rendererOptions: { collapseErrors: false } },
  )
  await listr.run().catch(() => {})
  if (opts.report) await writeJUnitReport(results, join(resolve(opts.report), 'junit.xml'))
  const failed = results.filter((r) => !r.passed).length
  console.log(`\n${results.length - failed} passed, ${failed} failed${opts.report ? `; reports in ${resolve(opts.report)}${failed ? ' (service logs of each failed run in <scenario>-logs/)' : ''}` : ''}`)
  if (failed > 0 || results.length < runs.length) {
    throw new DevnetError(`${failed || runs.length - results.length} scenario run(s) failed`, { code: 'DEVNET_SERVICE_FAILED' })
  }
}

/** `devnet scenario list [dir]`: the scenario files with their descriptions. */
export function scenarioList(dir = 'scenarios'): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
  for (const f of files) {
    const doc = parse(readFileSync(join(dir, f), 'utf8')) as { description?: string } | null
    console.log(`${join(dir, f)}\n    ${doc?.description ?? ''}`)
  }
}
