/**
 * Entry of the lite batcher program: polls and posts until SIGTERM; serves op-batcher's admin RPC
 * (`admin_startBatcher`, `admin_stopBatcher`) and `GET /healthz`.
 */
import { readFileSync } from 'node:fs'
import { Batcher } from './batcher.js'
import type { BatcherConfig } from './config.js'
import { closeServer, rpcFail, startRpcServer } from '../shared/jsonrpc.js'
import { stopOnSignals } from '../shared/lifecycle.js'
import { logger } from '../shared/log.js'
import { pollLoop } from '../shared/pollLoop.js'

export const BATCHER_VERSION = 'v0.1.0-lite'

export async function startBatcher(conf: BatcherConfig): Promise<{ batcher: Batcher; stop(): Promise<void> }> {
  const log = logger(conf.name)
  const stopping = new AbortController()
  const batcher = new Batcher(conf, log, stopping.signal)
  const server = await startRpcServer({
    host: conf.host,
    port: conf.ports.rpc,
    methods: {
      admin_startBatcher: () => {
        if (batcher.active) rpcFail(-32000, 'batcher is already running')
        batcher.active = true
        log.info('batcher started')
      },
      admin_stopBatcher: () => {
        if (!batcher.active) rpcFail(-32000, 'batcher is not running')
        batcher.active = false
        log.info('batcher stopped')
      },
      health_status: () => 'OK',
    },
    health: () => ({ version: BATCHER_VERSION }),
  })
  const loop = pollLoop('batcher', () => batcher.tick(), conf.pollMs, log)
  log.info('batcher started', { rpc: conf.ports.rpc, inbox: conf.batchInbox, active: batcher.active })
  return {
    batcher,
    async stop() {
      stopping.abort() // calls in flight are not waited for (a paused node would hold the stop until their timeout)
      await loop.stop()
      await closeServer(server)
    },
  }
}

/** `batcher <config.json>` */
export async function main(args: string[]): Promise<void> {
  const conf = JSON.parse(readFileSync(args[0] ?? 'config.json', 'utf8')) as BatcherConfig
  const running = await startBatcher(conf)
  stopOnSignals(() => running.stop())
}
