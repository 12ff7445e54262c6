/**
 * Entry of the lite op-challenger: `challenger <op-challenger flags>` (see config.ts). Plays until SIGTERM;
 * with `--metrics.enabled`, serves op-challenger's Prometheus metrics (`GET /metrics`), `GET /healthz` and
 * JSON-RPC `challenger_status` (address, games seen, counters) and `health_status` on
 * `--metrics.addr:--metrics.port`.
 */
import type { Server } from 'node:http'
import { closeServer, startRpcServer } from '../shared/jsonrpc.js'
import { stopOnSignals } from '../shared/lifecycle.js'
import { logger } from '../shared/log.js'
import { pollLoop } from '../shared/pollLoop.js'
import { wallMs } from '../shared/clock.js'
import { Challenger } from './challenger.js'
import { parseChallengerFlags, type ChallengerConfig } from './config.js'
import { challengerMetrics } from './metrics.js'

export const CHALLENGER_VERSION = 'v0.1.0-lite'

/** Starts the challenger loop (and its server); `stop()` ends the round in flight and closes the server. */
export async function startChallenger(cfg: ChallengerConfig): Promise<{ challenger: Challenger; stop(): Promise<void> }> {
  const log = logger('challenger')
  const metrics = challengerMetrics(CHALLENGER_VERSION)
  const stopping = new AbortController()
  const challenger = new Challenger(cfg, log, metrics, stopping.signal)
  let server: Server | undefined
  if (cfg.metrics.enabled) {
    server = await startRpcServer({
      host: cfg.metrics.addr,
      port: cfg.metrics.port,
      methods: {
        challenger_status: () => ({ address: challenger.address, version: CHALLENGER_VERSION, ...challenger.stats, games: [...challenger.games.values()] }),
        health_status: () => 'OK',
      },
      health: () => ({ version: CHALLENGER_VERSION, address: challenger.address }),
      metrics: metrics.registry,
    })
  }
  const loop = pollLoop('challenger', () => challenger.tick(), wallMs(cfg.pollMs), log) // L1 runs at the devnet clock's pace
  metrics.up.set(1)
  log.info('challenger started', { address: challenger.address, factory: cfg.factory, traceTypes: cfg.traceTypes.join(','), metrics: cfg.metrics.enabled ? cfg.metrics.port : 'off' })
  return {
    challenger,
    async stop() {
      stopping.abort() // calls and a transaction in flight are not waited for, as op-challenger's txmgr cancels on shutdown
      await loop.stop()
      if (server) await closeServer(server)
    },
  }
}

/** `challenger --l1-eth-rpc … --rollup-rpc … --game-factory-address … --private-key … [--trace-type alphabet]` */
export async function main(args: string[]): Promise<void> {
  const running = await startChallenger(parseChallengerFlags(args))
  stopOnSignals(() => running.stop())
}
