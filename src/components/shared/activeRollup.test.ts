import type { Server } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { freePort } from '../../runtime/ports.js'
import { activeRollup } from './activeRollup.js'
import { closeServer, rpcFail, startRpcServer } from './jsonrpc.js'

/** Three rollup-node RPCs answering `admin_sequencerActive` as `state` says ('down': an error). */
const state: Array<boolean | 'down'> = [true, false, false]
const servers: Server[] = []
const urls: string[] = []

beforeAll(async () => {
  for (let i = 0; i < state.length; i++) {
    const port = await freePort()
    servers.push(await startRpcServer({
      host: '127.0.0.1',
      port,
      methods: {
        admin_sequencerActive: () => (state[i] === 'down' ? rpcFail(-32000, 'node down') : state[i]),
        whoami: () => i,
      },
    }))
    urls.push(`http://127.0.0.1:${port}`)
  }
})
afterAll(async () => {
  await Promise.all(servers.map(closeServer))
})

const who = async (p: ReturnType<typeof activeRollup>) => (await p.client()).call<number>('whoami')

test('default: a single URL is used as is, never asked whether it sequences', async () => {
  state.splice(0, 3, false, false, false)
  expect(await who(activeRollup([urls[1]!], { checkMs: 0, timeoutMs: 1000 }))).toBe(1)
})

test('behavior: follows the active sequencer, walking on from the current one after a failover', async () => {
  state.splice(0, 3, true, false, false)
  const p = activeRollup(urls, { checkMs: 0, timeoutMs: 1000 })
  expect(await who(p)).toBe(0)
  state.splice(0, 3, 'down', false, true)
  expect(await who(p)).toBe(2)
  // From the current (2) it wraps around to 0 before 1.
  state.splice(0, 3, true, true, false)
  expect(await who(p)).toBe(0)
})

test('args: checkMs keeps the current node without asking until it elapses', async () => {
  state.splice(0, 3, true, false, false)
  const p = activeRollup(urls, { checkMs: 60_000, timeoutMs: 1000 })
  expect(await who(p)).toBe(0)
  state.splice(0, 3, false, true, false)
  expect(await who(p)).toBe(0)
})

test('behavior: invalidate asks again before checkMs elapsed; index names the position in use', async () => {
  state.splice(0, 3, true, false, false)
  const p = activeRollup(urls, { checkMs: 60_000, timeoutMs: 1000 })
  expect(await p.index()).toBe(0)
  state.splice(0, 3, false, true, false)
  expect(await p.index()).toBe(0)
  p.invalidate()
  expect(await p.index()).toBe(1)
  expect(await who(p)).toBe(1)
})

test('error: no active sequencer names every URL and the errors', async () => {
  state.splice(0, 3, false, 'down', false)
  const p = activeRollup(urls, { checkMs: 0, timeoutMs: 1000 })
  await expect(p.client()).rejects.toThrow(`failed to find an active sequencer, tried ${urls.join(', ')}; errors: ${urls[1]}: admin_sequencerActive: node down`)
  expect(() => activeRollup([], { checkMs: 0, timeoutMs: 1000 })).toThrow('empty rollup urls list')
})
