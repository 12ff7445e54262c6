/**
 * Client conformance of the lite L2 RPC (issue 13): one devnet per runtime, aged >= 30 s, shared by the
 * suites: honest block tags, op-geth call semantics, OP receipt fields, WebSocket subscriptions, error
 * codes, viem and ethers as apps use them. Spawns `dist/`: run `npm run build` first.
 */
import { afterAll, beforeAll, describe } from 'vitest'
import { testRuntimes } from '../helpers.js'
import { callSuite } from './calls.suite.js'
import { startClientDevnet, type ClientContext } from './context.js'
import { errorSuite } from './errors.suite.js'
import { ethersSuite } from './ethers.suite.js'
import { receiptSuite } from './receipts.suite.js'
import { subscriptionSuite } from './subscriptions.suite.js'
import { tagSuite } from './tags.suite.js'
import { viemSuite } from './viem.suite.js'

describe.each(testRuntimes())('lite L2 RPC conformance on %s', (runtime) => {
  let ctx: ClientContext | undefined
  let stop: (() => Promise<void>) | undefined
  const get = (): ClientContext => {
    if (!ctx) throw new Error('the devnet did not start (see beforeAll)')
    return ctx
  }

  beforeAll(async () => {
    ;({ ctx, stop } = await startClientDevnet(runtime, `clients-${runtime}`))
  }, 180_000)
  afterAll(async () => {
    await stop?.()
  })

  tagSuite(get)
  callSuite(get)
  receiptSuite(get)
  subscriptionSuite(get)
  errorSuite(get)
  viemSuite(get)
  ethersSuite(get)
})
