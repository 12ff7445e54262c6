/**
 * Entry of the lite L1 clock program (`l1-clock <config.json>`, a devnet-only program with no OP Stack
 * counterpart: it stands in for L1's consensus layer): mines the L1 anvil one block per slot on the devnet
 * clock until SIGTERM (see `l1Clock.ts`). Serves `l1clock_halt`, `l1clock_resume`, `l1clock_status` and
 * `GET /healthz`.
 */
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { L1Clock } from './l1Clock.js'
import type { L1ClockConfig } from './config.js'
import { now, untilMs } from '../shared/clock.js'
import { closeServer, rpcClient, startRpcServer } from '../shared/jsonrpc.js'
import { stopOnSignals } from '../shared/lifecycle.js'
import { logger } from '../shared/log.js'

export const L1_CLOCK_VERSION = 'v0.1.0-lite'

/** Starts the clock (held or mining, see `L1ClockConfig.held`) and its RPC server; `stop()` ends both. */
export async function startL1Clock(conf: L1ClockConfig): Promise<{ clock: L1Clock; server: Server; stop(): Promise<void> }> {
  const log = logger(conf.name)
  const clock = new L1Clock(rpcClient(conf.l1Rpc, 5_000), { genesisTime: conf.genesisTime, blockTime: conf.blockTime, now, untilMs }, log)
  const server = await startRpcServer({
    host: conf.host,
    port: conf.ports.rpc,
    methods: {
      l1clock_halt: async () => {
        const wasMining = await clock.halt()
        log.info('L1 halted')
        return { ...clock.status(), wasMining }
      },
      l1clock_resume: () => {
        clock.resume()
        log.info('L1 mining', { blockTime: conf.blockTime })
        return clock.status()
      },
      l1clock_status: () => clock.status(),
    },
    health: () => ({ version: L1_CLOCK_VERSION, ...clock.status() }),
  })
  // Restarted under a running devnet: L1 was mined before, so the start that held it is over.
  if (!conf.held || (await clock.started().catch(() => false))) clock.resume()
  log.info('L1 clock started', { rpc: conf.ports.rpc, blockTime: conf.blockTime, mining: clock.mining })
  return {
    clock,
    server,
    async stop() {
      await clock.halt()
      await closeServer(server)
    },
  }
}

/** `l1-clock <config.json>` */
export async function main(args: string[]): Promise<void> {
  const conf = JSON.parse(readFileSync(args[0] ?? 'config.json', 'utf8')) as L1ClockConfig
  const running = await startL1Clock(conf)
  stopOnSignals(() => running.stop())
}
