/**
 * Issue 11's scenario-speed figure: the six first shipped scenarios at `--speed 1` and `--speed 4` (process runtime), the
 * sum of their wall times (each scenario end to end: devnet start, steps, settle, checks, stop), as the median
 * of `runs` rounds, with every invariant holding. The floor (one anvil start to answer) is measured in the same run.
 */
import { runScenario } from '../src/scenario/runner.js'
import { anvilFloor, median } from './floor.js'
import type { Figure } from './report.js'

/** The six scenarios the issue's figure (~180 s at speed 1) was measured on. */
export const SPEED_SCENARIOS = ['batcher-outage', 'l1-reorg-drops-batches', 'l1-reorg-shallow', 'replica-partition', 'sequencer-crash-failover', 'slow-link']


export async function benchScenarioSpeed(speeds = [1, 4], runs = 3): Promise<Figure[]> {
  const figures: Figure[] = []
  const floorMs: number[] = []
  for (const speed of speeds) {
    const sums: number[] = []
    const per = new Map<string, number[]>()
    const failed = new Set<string>()
    for (let i = 0; i < runs; i++) {
      floorMs.push(await anvilFloor())
      let sum = 0
      for (const name of SPEED_SCENARIOS) {
        const t0 = performance.now()
        const { result } = await runScenario(new URL(`../scenarios/${name}.yaml`, import.meta.url).pathname, { runtime: 'process', speed })
        const s = (performance.now() - t0) / 1000
        sum += s
        per.set(name, [...(per.get(name) ?? []), s])
        if (!result.passed) failed.add(name)
      }
      sums.push(sum)
    }
    for (const [name, xs] of per) figures.push({ name: `scenario ${name} at --speed ${speed} (process)`, value: median(xs), unit: 's', runs: xs, ok: !failed.has(name), note: failed.has(name) ? 'FAILED in a run' : 'passed' })
    figures.push({
      name: `six shipped scenarios at --speed ${speed}, sum of wall times (process)`,
      value: median(sums),
      unit: 's',
      runs: sums,
      ...(speed === 4 ? { target: '<= 60 s, all invariants holding' } : {}),
      ok: failed.size === 0 && (speed !== 4 || median(sums) <= 60),
      note: `${failed.size ? `failed: ${[...failed].join(', ')}; ` : ''}floor (one anvil start to answer, same run): median ${(median(floorMs) / 1000).toFixed(3)} s; ratio ${(median(sums) / (median(floorMs) / 1000)).toFixed(0)}`,
    })
  }
  return figures
}
