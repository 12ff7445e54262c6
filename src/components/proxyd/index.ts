/** Entry of the lite proxyd program: `proxyd --config <proxyd.toml>` (proxyd's own flag and TOML). */
import { loadConfig, ProxydConfigError } from './config.js'
import { startProxyd } from './proxyd.js'
import { stopOnSignals } from '../shared/lifecycle.js'

/** How long proxyd's start waits for its backends to answer before the first consensus round (wall ms). */
const BACKENDS_WITHIN_MS = 15_000

/** `proxyd --config <file>`: a bad config prints one error naming file, line and key, and exits 1. */
export async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--config')
  const file = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--config='))?.slice('--config='.length)
  if (!file) {
    console.error('usage: main.js proxyd --config <proxyd.toml>')
    process.exitCode = 2
    return
  }
  let conf
  try {
    conf = loadConfig(file)
  } catch (err) {
    if (!(err instanceof ProxydConfigError)) throw err
    console.error(`proxyd: invalid config: ${err.message}`)
    process.exitCode = 1
    return
  }
  // The devnet starts proxyd beside its nodes: the first consensus round waits for them.
  const running = await startProxyd(conf, { backendsWithinMs: BACKENDS_WITHIN_MS })
  stopOnSignals(() => running.stop())
}
