import type { ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { anvilBinary } from '../../runtime/process/index.js'
import { freePort } from '../../runtime/ports.js'
import { spawnAnvil } from './anvil.js'
import { RpcError, rpcClient } from './jsonrpc.js'
import { wsRpcClient } from './wsRpc.js'

describe('wsRpcClient on a real anvil', () => {
  let child: ChildProcess
  let url: string

  beforeAll(async () => {
    const started = await spawnAnvil(anvilBinary(), ['--no-mining'])
    child = started.child
    url = `http://127.0.0.1:${started.port}`
  })
  afterAll(() => {
    child?.kill('SIGKILL')
  })

  test('default: answers as the HTTP client does, over one socket, its url the HTTP one', async () => {
    const ws = wsRpcClient(url)
    const http = rpcClient(url)
    try {
      expect(ws.url).toBe(url)
      await ws.call('evm_mine', [])
      expect(await ws.call('eth_blockNumber')).toBe(await http.call('eth_blockNumber'))
      // Answers are matched by id, whatever order they come back in: a state dump and small calls side by side.
      const [state, chainId, block] = await Promise.all([ws.call<string>('anvil_dumpState', [false]), ws.call('eth_chainId'), ws.call<{ number: string }>('eth_getBlockByNumber', ['0x1', false])])
      expect(state).toMatch(/^0x[0-9a-f]+$/)
      expect(chainId).toBe(await http.call('eth_chainId'))
      expect(block.number).toBe('0x1')
    } finally {
      ws.close()
    }
  })

  test('error: an error answer is an RpcError with its code and the method, as over HTTP', async () => {
    const ws = wsRpcClient(url)
    try {
      // anvil words some errors differently over WebSocket (an unknown method: -32602 there, -32601 over HTTP).
      const error = await ws.call('anvil_rollback', [1_000]).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RpcError)
      expect(typeof (error as RpcError).code).toBe('number')
      expect((error as Error).message).toMatch(/^anvil_rollback: ./)
    } finally {
      ws.close()
    }
  })

  test('behavior: after close, the next call opens a new socket', async () => {
    const ws = wsRpcClient(url)
    await ws.call('eth_chainId')
    ws.close()
    expect(await ws.call('eth_chainId')).toMatch(/^0x/)
    ws.close()
  })

  test('error: nobody listening, a silent server, a server that dies with a call in flight', async () => {
    // Nobody listening: the call fails with the connection's error, and a later call tries again.
    const port = await freePort()
    const none = wsRpcClient(`http://127.0.0.1:${port}`)
    await expect(none.call('eth_chainId')).rejects.toThrow(`connection to http://127.0.0.1:${port}`)

    // A server that accepts and never answers the handshake: the call times out.
    const silent: Server = createServer(() => {}).listen(0, '127.0.0.1')
    await new Promise((r) => silent.once('listening', r))
    const quiet = wsRpcClient(`http://127.0.0.1:${(silent.address() as { port: number }).port}`)
    await expect(quiet.call('eth_chainId', [], 300)).rejects.toThrow(/timed out|connection to/)
    silent.close()

    // The server dies with a call in flight: it fails at once, not at its timeout.
    const dying = await spawnAnvil(anvilBinary(), ['--no-mining'])
    const ws = wsRpcClient(`http://127.0.0.1:${dying.port}`, 30_000)
    await ws.call('eth_chainId')
    const t0 = Date.now()
    const inFlight = ws.call('anvil_dumpState', [false]).catch((e: unknown) => e)
    dying.child.kill('SIGKILL')
    const error = await inFlight
    // Either the answer made it out before the kill, or the call failed when the socket closed.
    if (error instanceof Error) expect(error.message).toMatch(/closed before the answer/)
    expect(Date.now() - t0).toBeLessThan(5_000)
    await expect(ws.call('eth_chainId', [], 1_000)).rejects.toThrow(/connection to/)
  })
})
