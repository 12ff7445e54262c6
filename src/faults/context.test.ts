import { afterEach, describe, expect, it } from 'vitest'
import type { Server } from 'node:http'
import { closeServer, rpcFail, startRpcServer } from '../components/shared/jsonrpc.js'
import { startSequencerAtHead } from './context.js'

/**
 * A follower beside a live leader: every block gossiped in moves its unsafe head, here once between each
 * `optimism_syncStatus` and the next `admin_startSequencer` for the first `racing` reads. The start check
 * is the rollup node's own (sequencer.ts): the hash must be the unsafe head.
 */
function follower(racing: number, other?: string) {
  let head = 10
  let reads = 0
  const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
  const starts: string[] = []
  const methods = {
    optimism_syncStatus: () => {
      const status = { unsafe_l2: { hash: hash(head), number: head } }
      if (reads++ < racing) head++
      return status
    },
    admin_startSequencer: ([h]: unknown[]) => {
      starts.push(h as string)
      if (other) rpcFail(-32000, other)
      if (h !== hash(head)) rpcFail(-32000, `block hash does not match: head ${hash(head)}:${head}, received ${h}`)
      return null
    },
  }
  return { starts, methods }
}

describe('startSequencerAtHead', () => {
  let server: Server | undefined
  afterEach(async () => server && (await closeServer(server)))
  const serve = async (node: ReturnType<typeof follower>) => {
    server = await startRpcServer({ host: '127.0.0.1', port: 0, methods: node.methods })
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`
  }

  it('default: reads the head again while blocks arrive between the read and the start', async () => {
    const node = follower(2)
    expect(await startSequencerAtHead(await serve(node))).toMatchObject({ number: 12 })
    expect(node.starts).toHaveLength(3)
  })
  it('error: gives up after the given attempts with the node\'s error', async () => {
    const node = follower(100)
    await expect(startSequencerAtHead(await serve(node), 3)).rejects.toThrow(/block hash does not match/)
    expect(node.starts).toHaveLength(3)
  })
  it('error: any other refusal is not retried', async () => {
    const node = follower(0, 'sequencer already running')
    await expect(startSequencerAtHead(await serve(node))).rejects.toThrow(/sequencer already running/)
    expect(node.starts).toHaveLength(1)
  })
})
