/** The floor figures are compared with: one anvil from spawn to its first answer, measured in the same run. */
import { availableParallelism } from 'node:os'
import { spawnAnvil } from '../src/components/shared/anvil.js'
import { anvilBinary } from '../src/runtime/process/index.js'
import { rpc } from '../test/helpers.js'

/** The median of `xs` (the upper one for an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** One anvil from spawn to its first answer to `eth_chainId`, ms. */
export async function anvilFloor(): Promise<number> {
  const t0 = performance.now()
  const { child, port } = await spawnAnvil(anvilBinary(), [])
  await rpc(`http://127.0.0.1:${port}`, 'eth_chainId')
  const ms = performance.now() - t0
  child.kill('SIGKILL')
  return ms
}

/**
 * What the machine's CPU did during a command: busy core-seconds of every process (the command, what it
 * started, the container engine's own), against the cores x wall there were. A start is CPU-bound when that
 * share is near 100 %: then only less work, not more overlap, makes it shorter.
 */
export function cpuFigure(name: string, busyMs: number[], wallMs: number[]): { name: string; value: number; unit: string; runs: number[]; note: string } {
  const cores = availableParallelism()
  const share = median(busyMs.map((b, i) => b / (cores * wallMs[i]!)))
  return { name, value: median(busyMs) / 1000, unit: 'core-s', runs: busyMs.map((v) => v / 1000), note: `${(share * 100).toFixed(0)} % of ${cores} cores x the wall time (median); no target` }
}
