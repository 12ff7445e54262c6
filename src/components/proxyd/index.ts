/** Entry of the lite proxyd program: `proxyd --config <proxyd.toml>` (proxyd's own flag and TOML). */
import { loadConfig, ProxydConfigError } from './config.js'
import { startProxyd } from './proxyd.js'
import { stopOnSignals } from '../shared/lifecycle.js'

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
  const running = await startProxyd(conf)
  stopOnSignals(() => running.stop())
}
