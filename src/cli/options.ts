/** Every CLI option, declared once (with its env fallback) and added to the commands that take it. */
import { InvalidArgumentError, Option } from 'commander'
import { speedProblem } from '../protocol/clock.js'

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
  speed: () =>
    new Option('--speed <n>', 'devnet clock speed: L1 and L2 time run n times faster than wall time (1 to 16; conductor topologies: 1)').default(1).env('DEVNET_SPEED').argParser((value: string) => {
      const n = Number(value)
      const problem = value.trim() === '' ? `speed must be a number, got ""` : speedProblem(n)
      if (problem) throw new InvalidArgumentError(problem)
      return n
    }),
  duration: () =>
    new Option('--duration <duration>', 'how long the run lasts once the devnet is up, e.g. 30m, 90s').default('3m'),
  faults: () => new Option('--faults <names>', 'comma-separated faults to draw from (default: every fault the registry can draw and the topology hosts)'),
  intensity: () => new Option('--intensity <level>', 'how many faults at once and how often: low (1), medium (2), high (3)').default('medium'),
  shrink: () => new Option('--shrink <replay.yaml>', 'narrow a failing replay to the faults its failure needs (runs it once per fault)'),
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
  speed: number
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
  speed: number
}
export interface ChaosCliOptions {
  file?: string
  duration: string
  seed?: number
  faults?: string
  intensity: string
  runtime?: 'process' | 'docker'
  report?: string
  shrink?: string
  speed: number
}
export interface DownOptions {
  name?: string
  stateDir?: string
}
