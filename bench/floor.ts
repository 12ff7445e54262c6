/** The floor figures are compared with: one anvil from spawn to its first answer, measured in the same run. */
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
