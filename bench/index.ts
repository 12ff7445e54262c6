/**
 * `npm run bench`: the figures the issues ask for, measured on this machine. Never asserted in tests.
 * Select groups with `npm run bench -- pipeline catchup` (default: all).
 */
import '../src/components/shared/polyfills.js'
import { benchCatchUp, benchStartup } from './pipeline.js'
import { printFigures, type Figure } from './report.js'
import { benchScenarios } from './scenarios.js'
import { benchScenarioSpeed } from './scenarioSpeed.js'
import { benchDocker } from './docker.js'
import { benchConductorDevnet } from './conductorDevnet.js'
import { benchProxyd } from './proxyd.js'
import { benchRestart } from './restart.js'
import { benchLinks } from './links.js'
import { benchSettlement } from './settlement.js'
import { benchCli } from './cli.js'
import { benchWithdrawal } from './withdrawal.js'
import { benchDiscovery } from './discovery.js'
import { benchScale } from './scale.js'
import { benchHostShare } from './hostShare.js'

const groups: Record<string, () => Promise<Figure[]>> = {
  pipeline: () => benchStartup(),
  cli: () => benchCli(),
  catchup: () => benchCatchUp(),
  restart: () => benchRestart(),
  docker: () => benchDocker(),
  links: () => benchLinks(),
  settlement: () => benchSettlement(),
  withdrawal: () => benchWithdrawal(),
  scenarios: () => benchScenarios('process'),
  'scenarios-docker': () => benchScenarios('docker'),
  'scenario-speed': () => benchScenarioSpeed(),
  'conductor-devnet': () => benchConductorDevnet(),
  proxyd: () => benchProxyd(),
  discovery: () => benchDiscovery(),
  scale: () => benchScale(),
  'host-share': () => benchHostShare(),
}

const wanted = process.argv.slice(2).filter((a) => a !== '--')
const selected = wanted.length ? wanted : Object.keys(groups)
for (const name of selected) {
  const run = groups[name]
  if (!run) {
    console.error(`unknown bench group "${name}"; groups: ${Object.keys(groups).join(', ')}`)
    process.exit(2)
  }
  printFigures(name, await run())
}
