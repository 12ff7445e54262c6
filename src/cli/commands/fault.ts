/**
 * `devnet fault <name> [--<arg> <value>…]` and `devnet heal`: faults on a running devnet (`devnet up
 * --detach` or another terminal), with the registry's argument checks and messages; active faults are
 * kept in the state directory and listed by `devnet status`.
 */
import { findStateDir } from '../../devnet/index.js'
import { attachFaults } from '../../faults/attach.js'
import { applyFault, assertFaultName, parseFaultOptions } from '../../faults/index.js'
import { formatFaults } from '../format.js'
import type { FaultOptions } from '../options.js'

export async function fault(name: string, args: string[], options: FaultOptions): Promise<void> {
  assertFaultName(name)
  const { ctx, names } = attachFaults(findStateDir(options))
  const call = parseFaultOptions(name, args, names)
  await applyFault(ctx, call)
  process.stdout.write(`${[`${name}: done`, '', ...formatFaults(ctx.state.faults)].join('\n')}\n`)
}

export function heal(options: FaultOptions): Promise<void> {
  return fault('heal', [], options)
}
