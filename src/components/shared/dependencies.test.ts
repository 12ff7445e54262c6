import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, test } from 'vitest'
import { answers, waitForDependencies } from './dependencies.js'
import { rpcClient } from './jsonrpc.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

/** A JSON-RPC server whose answer to every call is `reply()` (status and body). */
async function serve(reply: () => { status: number; body: string }, port = 0): Promise<string> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const { status, body } = reply()
      res.writeHead(status, { 'content-type': 'application/json' }).end(body)
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const result = { status: 200, body: '{"jsonrpc":"2.0","id":1,"result":"0x384"}' }

test('default: nothing to wait for resolves at once; an answering URL resolves', async () => {
  await waitForDependencies(undefined)
  await waitForDependencies('')
  const url = await serve(() => result)
  expect(await answers(rpcClient(url, 1_000))).toBe(true)
  await waitForDependencies(url)
})

test('error: an error answer, a 503 or no server at all is not an answer', async () => {
  expect(await answers(rpcClient(await serve(() => ({ status: 200, body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"starting"}}' })), 1_000))).toBe(false)
  expect(await answers(rpcClient(await serve(() => ({ status: 503, body: 'not yet' })), 1_000))).toBe(false)
  const closed = await serve(() => result)
  await new Promise((r) => servers.pop()!.close(r))
  expect(await answers(rpcClient(closed, 1_000))).toBe(false)
})

test('behavior: waits until every URL answers, and says which one it waits for', async () => {
  let ready = false
  const slow = await serve(() => (ready ? result : { status: 503, body: '' }))
  const fast = await serve(() => result)
  const said: string[] = []
  let done = false
  const waiting = waitForDependencies(`${fast}, ${slow}`, { say: (l) => said.push(l), sayAfterMs: 100 }).then(() => (done = true))
  await new Promise((r) => setTimeout(r, 300))
  expect(done).toBe(false)
  expect(said).toEqual([`waiting for ${slow} to answer before starting`])
  ready = true
  await waiting
  expect(said).toHaveLength(1)
})
