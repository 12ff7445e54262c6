/** Head polling over JSON-RPC: rollup nodes' `optimism_syncStatus` and the L1 head. */
import { DevnetError } from '../errors.js'
import { jsonRpc } from '../runtime/jsonrpc.js'
import type { SyncStatus } from '../protocol/types.js'
import { conductorState } from './conductors.js'
import { devnetDefaults, type DevnetDescriptor, type NodeHeads } from './descriptor.js'
import { isRollupNode } from '../plan/types.js'
import { readGames } from './games.js'

/**
 * One JSON-RPC call with a timeout.
 * @throws DevnetError (`DEVNET_RPC_ERROR`) naming the method and URL.
 * @example
 * await rpcCall('http://127.0.0.1:7545', 'optimism_syncStatus')
 */
export function rpcCall<T = unknown>(url: string, method: string, params: unknown[] = [], timeoutMs = devnetDefaults.statusRpcTimeoutMs): Promise<T> {
  return jsonRpc<T>(url, method, params, { timeoutMs })
}

/**
 * A rollup node's heads (calls `optimism_syncStatus`).
 * @example
 * const { unsafe, safe, finalized } = await nodeHeads('http://127.0.0.1:7545')
 */
export async function nodeHeads(rollupUrl: string, timeoutMs?: number): Promise<NodeHeads> {
  const status = await rpcCall<SyncStatus>(rollupUrl, 'optimism_syncStatus', [], timeoutMs)
  return {
    unsafe: status.unsafe_l2.number,
    safe: status.safe_l2.number,
    finalized: status.finalized_l2.number,
    l1: status.head_l1.number,
    currentL1: status.current_l1.number,
  }
}

/**
 * Fills `heads` of every running rollup node, `chains.l1.head` and `games` (calls `optimism_syncStatus` on
 * each node, `eth_blockNumber` and the DisputeGameFactory on L1, in parallel). A service that does not
 * answer keeps no heads; no `games` when L1 does not answer.
 */
export async function withHeads(descriptor: DevnetDescriptor, timeoutMs?: number): Promise<DevnetDescriptor> {
  const out = structuredClone(descriptor)
  const jobs = out.services.map(async (service) => {
    if (service.state !== 'running') return
    if (isRollupNode(service.role) && service.endpoints.rollup) {
      service.heads = await nodeHeads(service.endpoints.rollup, timeoutMs).catch(() => undefined)
      if (!service.heads) delete service.heads
    } else if (service.role === 'conductor' && service.endpoints.rpc) {
      service.conductor = await conductorState(service.endpoints.rpc)
      if (!service.conductor) delete service.conductor
    } else if (service.role === 'l1' && service.endpoints.rpc) {
      const head = await rpcCall<string>(service.endpoints.rpc, 'eth_blockNumber', [], timeoutMs).catch(() => undefined)
      if (head !== undefined) out.chains.l1.head = Number(head)
      const factory = out.contracts?.l1.DisputeGameFactoryProxy
      const games = factory && (await readGames(service.endpoints.rpc, factory).catch(() => undefined))
      if (games) out.games = games
    }
  })
  await Promise.all(jobs)
  return out
}
