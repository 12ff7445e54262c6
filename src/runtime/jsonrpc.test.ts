import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, test } from 'vitest'
import { DevnetError } from '../errors.js'
import { jsonRpc } from './jsonrpc.js'

let server: Server | undefined
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())))

async function serve(handler: RequestListener): Promise<string> {
  server = createServer(handler)
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const answer = (reply: unknown, status = 200): RequestListener => (req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    const { id } = JSON.parse(body)
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, ...(reply as object) }))
  })
}

test('default: resolves with the result', async () => {
  const url = await serve(answer({ result: '0x385' }))
  expect(await jsonRpc(url, 'eth_chainId')).toBe('0x385')
})

test('error: an error answer names the method, the URL, the message and the code', async () => {
  const url = await serve(answer({ error: { code: -32601, message: 'method not found' } }))
  const error = (await jsonRpc(url, 'foo_bar').catch((e: unknown) => e)) as DevnetError
  expect(error).toBeInstanceOf(DevnetError)
  expect(error.code).toBe('DEVNET_RPC_ERROR')
  expect(error.shortMessage).toBe(`foo_bar on ${url} failed: method not found (code -32601)`)
})

test('error: an HTTP error without a JSON-RPC body', async () => {
  const url = await serve((_, res) => res.writeHead(503).end('busy'))
  await expect(jsonRpc(url, 'eth_chainId')).rejects.toThrow(/eth_chainId on .* failed: HTTP 503/)
})

test('error: no answer within the timeout', async () => {
  const url = await serve(() => {})
  await expect(jsonRpc(url, 'eth_chainId', [], { timeoutMs: 100 })).rejects.toThrow(/no answer within 100 ms/)
})

test('error: nothing listening', async () => {
  await expect(jsonRpc('http://127.0.0.1:1', 'eth_chainId')).rejects.toThrow(/ECONNREFUSED/)
})
