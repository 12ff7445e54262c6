/** Wall time of each shipped scenario, end to end (devnet start, steps, settle, checks, stop). */
import { readdirSync } from 'node:fs'
import { runScenario } from '../src/scenario/runner.js'
import type { Figure } from './report.js'

export async function benchScenarios(runtime: 'process' | 'docker' = 'process'): Promise<Figure[]> {
  const dir = new URL('../scenarios/', import.meta.url)
  const figures: Figure[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const t0 = performance.now()
    const { result } = await runScenario(new URL(file, dir).pathname, { runtime })
    const seconds = (performance.now() - t0) / 1000
    const reorg = file.startsWith('l1-reorg')
    figures.push({
      name: `scenario ${file} (${runtime})`,
      value: seconds,
      unit: 's',
      ...(reorg ? { target: '<= 30 s', ok: seconds <= 30 && result.passed } : { ok: result.passed }),
      note: result.passed ? 'passed' : 'FAILED',
    })
  }
  return figures
}
