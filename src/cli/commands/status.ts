/** `devnet status`: the descriptor of a running devnet, as a table or JSON. */
import { findStateDir } from '../../devnet/descriptor.js'
import { devnetStatus } from '../../devnet/recorded.js'
import { formatStatus } from '../format.js'
import type { StatusOptions } from '../options.js'

export async function status(options: StatusOptions): Promise<void> {
  const status = await devnetStatus(findStateDir(options))
  const descriptor = { ...status, faults: status.faults ?? [] }
  process.stdout.write(options.json ? `${JSON.stringify(descriptor, null, 2)}\n` : `${formatStatus(descriptor).join('\n')}\n`)
}
