/**
 * Entry of the lite proposer program (`proposer <op-proposer flags>`): proposes until SIGTERM; serves
 * op-proposer's admin RPC (`admin_startProposer`, `admin_stopProposer`), `proposer_status` (a lite
 * extension: counts, last game, last refusal) and `GET /healthz` (version and the same status); with
 * `--metrics.enabled`, op-proposer's Prometheus metrics on `GET /metrics` of `--metrics.addr:--metrics.port`.
 */
import type { Server } from 'node:http'
import { proposerMetrics } from './metrics.js'
import { Proposer } from './proposer.js'
import { parseFlags, type ProposerConfig } from './flags.js'
import { closeServer, rpcFail, startRpcServer } from '../shared/jsonrpc.js'
import { stopOnSignals } from '../shared/lifecycle.js'
import { logger } from '../shared/log.js'
import { pollLoop } from '../shared/pollLoop.js'
import { wallMs } from '../shared/clock.js'

export const PROPOSER_VERSION = 'v0.1.0-lite'

/** Starts the proposer loop and its RPC server; `stop()` ends both. */
export async function startProposer(conf: ProposerConfig): Promise<{ proposer: Proposer; stop(): Promise<void> }> {
  const log = logger('proposer')
  const metrics = proposerMetrics(PROPOSER_VERSION)
  const stopping = new AbortController()
  const proposer = new Proposer(conf, log, metrics, stopping.signal)
  const server = await startRpcServer({
    host: conf.rpc.addr,
    port: conf.rpc.port,
    methods: {
      admin_startProposer: () => {
        if (proposer.active) rpcFail(-32000, 'proposer is already running')
        proposer.active = true
        log.info('proposer started')
        loop.wake()
      },
      admin_stopProposer: () => {
        if (!proposer.active) rpcFail(-32000, 'proposer is not running')
        proposer.active = false
        log.info('proposer stopped')
      },
      proposer_status: () => proposer.status(),
    },
    health: () => ({ version: PROPOSER_VERSION, ...proposer.status() }),
  })
  let metricsServer: Server | undefined
  if (conf.metrics.enabled) {
    metricsServer = await startRpcServer({ host: conf.metrics.addr, port: conf.metrics.port, methods: {}, metrics: metrics.registry }).catch(async (err: Error) => {
      await closeServer(server)
      throw err
    })
  }
  const loop = pollLoop('proposer', () => proposer.tick(), wallMs(conf.pollIntervalMs), log) // L1 runs at the devnet clock's pace
  metrics.up.set(1)
  log.info('proposer running', { rpc: conf.rpc.port, metrics: conf.metrics.enabled ? conf.metrics.port : 'off', factory: conf.gameFactoryAddress, gameType: conf.gameType, active: proposer.active })
  return {
    proposer,
    async stop() {
      stopping.abort() // calls and a transaction in flight are not waited for, as op-proposer's txmgr cancels on shutdown
      await loop.stop()
      await closeServer(server)
      if (metricsServer) await closeServer(metricsServer)
    },
  }
}

/** `proposer --l1-eth-rpc ... --rollup-rpc ... --game-factory-address ... --proposal-interval 6s --private-key ...` */
export async function main(args: string[]): Promise<void> {
  const running = await startProposer(parseFlags(args))
  stopOnSignals(() => running.stop())
}
