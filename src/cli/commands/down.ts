/** `devnet down`: stop a devnet started by another process and remove its state file (logs stay). */
import { findStateDir } from '../../devnet/descriptor.js'
import { stopFromDescriptor } from '../../devnet/recorded.js'
import { DevnetError } from '../../errors.js'
import type { DownOptions } from '../options.js'

export async function down(options: DownOptions): Promise<void> {
  const stateDir = findStateDir(options)
  try {
    const stopped = await stopFromDescriptor(stateDir)
    process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : `nothing was running; removed the state in ${stateDir}\n`)
  } catch (error) {
    // `down` is idempotent: nothing to stop is not a failure.
    if (error instanceof DevnetError && error.code === 'DEVNET_NOT_RUNNING') {
      process.stdout.write(`${error.shortMessage}\n`)
      return
    }
    throw error
  }
}
