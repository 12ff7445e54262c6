/**
 * The `devnet` command line: commands declared here, printing in `commands/` and `format.ts`, logic in
 * `devnet/`. Errors are handled once, in {@link run}. Each command loads its module when it runs, so
 * `--help`, `status` and `down` load nothing they do not use.
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { DevnetError } from '../errors.js'
import { options, type FaultOptions } from './options.js'

/** An action that loads its command's module only when it runs. */
function lazy<M extends Record<K, (...args: never[]) => unknown>, K extends keyof M>(load: () => Promise<M>, name: K) {
  return async (...args: unknown[]): Promise<void> => {
    await (await load())[name](...(args as never[]))
  }
}

/** The package version; `src/cli` and `dist/cli` both sit two levels under the package root. */
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

export function createProgram(): Command {
  const program = new Command('devnet')
    .description('Bring up a whole OP Stack rollup on one machine.')
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()

  program
    .command('up')
    .description('start a devnet: L1, rollup nodes and batcher; shows live heads until Ctrl-C')
    .addOption(options.file())
    .addOption(options.runtime())
    .addOption(options.ports())
    .addOption(options.detach())
    .addOption(options.speed())
    .addOption(options.stateDir())
    .addOption(options.liteEntrypoint())
    .action(lazy(() => import('./commands/up.js'), 'up'))

  program
    .command('status')
    .description('show the services, endpoints and heads of a running devnet')
    .addOption(options.json())
    .addOption(options.name())
    .addOption(options.stateDir())
    .action(lazy(() => import('./commands/status.js'), 'status'))

  program
    .command('logs')
    .description("print a service's log (running or not)")
    .argument('<service>', 'service name, e.g. l1, sequencer, replica-0, batcher')
    .addOption(options.follow())
    .addOption(options.lines())
    .addOption(options.name())
    .addOption(options.stateDir())
    .action(lazy(() => import('./commands/logs.js'), 'logs'))

  program
    .command('fault')
    .description('inject a fault into a running devnet, as a scenario step does; `devnet status` lists active faults')
    .argument('<fault>', 'the fault to inject (listed below)')
    .argument('[args...]', 'the fault\'s arguments as --<arg> <value> (values in YAML: 3, true, "[[replica-0], [sequencer, l1]]")')
    .addOption(options.name())
    .addOption(options.stateDir())
    .allowUnknownOption()
    .action(async (name: string, args: string[], opts: FaultOptions) => (await import('./commands/fault.js')).fault(name, args, opts))

  program
    .command('heal')
    .description('end the partitions, link faults and batcher outage of a running devnet')
    .addOption(options.name())
    .addOption(options.stateDir())
    .action(async (opts: FaultOptions) => (await import('./commands/fault.js')).heal(opts))

  program
    .command('down')
    .description('stop a devnet started with `devnet up --detach` (or from another terminal); logs stay')
    .addOption(options.name())
    .addOption(options.stateDir())
    .action(lazy(() => import('./commands/down.js'), 'down'))

  program
    .command('compose')
    .description('write the devnet as a docker compose file (plus the service files it mounts) for `docker compose up`')
    .addOption(options.file())
    .option('-o, --output <file>', 'compose file to write; service files go next to it, in <file without extension>/', 'compose/devnet.yaml')
    .addOption(Object.assign(options.ports().default('stable'), { description: 'stable documented ports or free ones picked now' }))
    .action(lazy(() => import('./commands/compose.js'), 'compose'))

  program
    .command('sweep')
    .description('remove containers and networks op-devnet left behind (an orchestrator killed with SIGKILL), or all of one devnet')
    .addOption(options.name())
    .action(async (opts: { name?: string }) => {
      const { sweep } = await import('../runtime/docker/sweep.js')
      const removed = await sweep(opts.name ? { devnet: opts.name } : {})
      process.stdout.write(`removed ${removed.containers.length} container(s), ${removed.networks.length} network(s)${[...removed.containers, ...removed.networks].map((n) => `\n  ${n}`).join('')}\n`)
      if (removed.failures.length) throw new DevnetError(`could not remove: ${removed.failures.join('; ')}`, { code: 'DEVNET_SERVICE_FAILED' })
    })

  const images = program.command('images').description('the container images the docker runtime uses')
  images
    .command('build')
    .description('build the lite image (and the registry-free base image) unless it is up to date')
    .action(lazy(() => import('./commands/images.js'), 'imagesBuild'))
  for (const command of images.commands) command.exitOverride().showHelpAfterError('(add --help for usage)')

  const scenario = program.command('scenario').description('run incidents as scenario files: faults, expectations, invariants, reports')
  scenario
    .command('run')
    .description('run scenario files, each on a fresh devnet; exits non-zero when an expectation or invariant fails')
    .argument('<file...>', 'scenario files, e.g. scenarios/*.yaml')
    .addOption(options.runtime())
    .addOption(options.report())
    .addOption(options.repeat())
    .addOption(options.seed())
    .addOption(options.speed())
    .action(async (files: string[], opts) => (await import('./commands/scenario.js')).scenarioRun(files, opts))
  scenario
    .command('list')
    .description('list the scenario files in a directory')
    .argument('[dir]', 'directory', 'scenarios')
    .action(async (dir: string) => (await import('./commands/scenario.js')).scenarioList(dir))
  for (const command of scenario.commands) command.exitOverride().showHelpAfterError('(add --help for usage)')

  program
    .command('chaos')
    .description('random faults on a fresh devnet under load, every invariant checked; a failure leaves a replay scenario file')
    .addOption(options.file())
    .addOption(options.duration())
    .addOption(options.seed())
    .addOption(options.faults())
    .addOption(options.intensity())
    .addOption(options.runtime())
    .addOption(options.report())
    .addOption(options.shrink())
    .addOption(options.speed())
    .action(lazy(() => import('./commands/chaos.js'), 'chaos'))

  // The fault list comes from the registry, which loads every fault: only for `devnet fault`.
  program.hook('preSubcommand', async (_, sub) => {
    if (sub.name() !== 'fault') return
    const { FAULT_NAMES, FAULTS } = await import('../faults/registry.js')
    sub.addHelpText('after', `\nFaults:\n${FAULT_NAMES.map((n) => `  ${n.padEnd(16)}${FAULTS[n].summary}`).join('\n')}`)
  })

  for (const command of program.commands) command.exitOverride().showHelpAfterError('(add --help for usage)')
  return program
}

/** Exit code of an error: usage 2, other `DevnetError`s 1 (message only), anything else 1 (with stack). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
  if (error instanceof DevnetError) return error.code === 'DEVNET_USAGE' ? 2 : 1
  return 1
}

/**
 * Runs the CLI on `argv` (as `process.argv`) and returns the exit code; never throws.
 * @example
 * process.exit(await run(process.argv))
 */
export async function run(argv: string[] = process.argv): Promise<number> {
  try {
    await createProgram().parseAsync(argv)
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander printed the message (or the help) already
    } else if (error instanceof DevnetError) {
      process.stderr.write(`error: ${error.message}\n`)
    } else {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`)
    }
    return exitCodeOf(error)
  }
}
