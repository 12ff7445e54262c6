/** Every CLI option, declared once (with its env fallback) and added to the commands that take it. */
import { InvalidArgumentError, Option } from 'commander'

export const options = {
  file: () => new Option('-f, --file <devnet.yaml>', 'topology file (default: the built-in topology)').env('DEVNET_FILE'),
  runtime: () => new Option('--runtime <runtime>', 'where services run (default: docker when an engine answers, else process)').choices(['process', 'docker']).env('DEVNET_RUNTIME'),
  ports: () => new Option('--ports <mode>', "stable documented ports or free ones (default: the topology's `ports`)").choices(['stable', 'auto']).env('DEVNET_PORTS'),
  detach: () => new Option('--detach', 'return once the devnet is up; stop it later with `devnet down`'),
  name: () => new Option('--name <name>', 'devnet name (default: the only devnet under .devnet, else "devnet")').env('DEVNET_NAME'),
  stateDir: () => new Option('--state-dir <dir>', 'state directory (default: .devnet/<name>)').env('DEVNET_STATE_DIR').helpGroup('Advanced:'),
  /** Hidden: run another lite launcher than dist/components/main.js (development and tests). */
  liteEntrypoint: () => new Option('--lite-entrypoint <path>').env('DEVNET_LITE_ENTRYPOINT').hideHelp(),
  report: () => new Option('--report <dir>', 'write reports there: <scenario>.json, <scenario>.html, junit.xml').env('DEVNET_REPORT'),
  repeat: () =>
    new Option('--repeat <n>', 'run each scenario n times').default(1).argParser((value: string) => {
      const n = Number(value)
      if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, found ${JSON.stringify(value)}`)
      return n
    }),
  json: () => new Option('--json', 'print the machine-readable descriptor'),
  seed: () =>
    new Option('--seed <n>', "seed of every random choice (load, loss, jitter); default: the scenario's seed, else one drawn per run (reports record it)").argParser((value: string) => {
      const n = Number(value)
      if (!/^\d+$/.test(value) || n > 2 ** 32 - 1) throw new InvalidArgumentError(`expected an integer between 0 and 4294967295, found ${JSON.stringify(value)}`)
      return n
    }),
  follow: () => new Option('-f, --follow', 'keep printing new lines until Ctrl-C'),
  lines: () =>
    new Option('-n, --lines <lines>', 'number of last lines to print').default(100).argParser((value: string) => {
      const n = Number(value)
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a non-negative integer, found ${JSON.stringify(value)}`)
      return n
    }),
}

/** Parsed options, as commander hands them to actions. */
export interface UpOptions {
  file?: string
  runtime?: 'process' | 'docker'
  ports?: 'stable' | 'auto'
  detach?: boolean
  stateDir?: string
  liteEntrypoint?: string
}
export interface StatusOptions {
  json?: boolean
  name?: string
  stateDir?: string
}
export interface LogsOptions {
  follow?: boolean
  lines: number
  name?: string
  stateDir?: string
}
export interface FaultOptions {
  name?: string
  stateDir?: string
}
export interface ScenarioRunOptions {
  runtime?: 'process' | 'docker'
  report?: string
  repeat: number
  seed?: number
}
export interface DownOptions {
  name?: string
  stateDir?: string
}
