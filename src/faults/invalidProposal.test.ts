/**
 * The honest output a `propose` fault posts, read from a rollup node whose safe head moves back between
 * the two calls (an L1 reorg lands in between): seen on docker in game-reorged-out, where the fault
 * failed with "block 21 not found". A scripted JSON-RPC peer plays the node, so the race happens every time.
 */
import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, test } from 'vitest'
import { honestOutput } from './invalidProposal.js'

/** A rollup RPC whose `optimism_syncStatus` answers the next of `safeHeads` (the last one repeats) and that has only the blocks in `have`. */
async function rollupNode(safeHeads: number[], have: number[]): Promise<{ url: string; server: Server; asked: number[] }> {
  const asked: number[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: string[] }
      const answer = (r: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, ...r }))
      if (method === 'optimism_syncStatus') return answer({ result: { safe_l2: { number: safeHeads.length > 1 ? safeHeads.shift()! : safeHeads[0]! } } })
      const number = Number(params[0])
      asked.push(number)
      if (!have.includes(number)) return answer({ error: { code: -32000, message: `block ${number} not found` } })
      answer({ result: { outputRoot: `0x${number.toString(16).padStart(64, '0')}` } })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, asked }
}

describe('honestOutput', () => {
  let server: Server | undefined
  afterEach(() => void server?.close())

  test('behavior: the safe head gone between the two calls: the status is read again and the new safe head proposed', async () => {
    const node = await rollupNode([21, 18], [18])
    server = node.server
    expect(await honestOutput(node.url, undefined, { delayMs: 1 })).toEqual({ number: 18, outputRoot: `0x${'12'.padStart(64, '0')}` })
    expect(node.asked).toEqual([21, 18])
  })

  test('error: a block asked for by number is not swapped for another', async () => {
    const node = await rollupNode([21, 18], [18])
    server = node.server
    await expect(honestOutput(node.url, 21, { delayMs: 1 })).rejects.toThrow('block 21 not found')
    expect(node.asked).toEqual([21])
  })

  test('error: a node that never has its own safe head fails after the attempts, naming the block', async () => {
    const node = await rollupNode([21], [])
    server = node.server
    await expect(honestOutput(node.url, undefined, { attempts: 3, delayMs: 1 })).rejects.toThrow('block 21 not found')
    expect(node.asked).toEqual([21, 21, 21])
  })
})
