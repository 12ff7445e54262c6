/**
 * op-conductor's `SequencerControl`: the rollup node's admin API and the execution client's latest
 * block, over JSON-RPC.
 */
import type { RpcClient } from '../shared/jsonrpc.js'
import type { EnvelopeJson } from './consensus.js'

export interface SequencerControl {
  /** `admin_sequencerActive`. */
  sequencerActive(): Promise<boolean>
  /** `admin_startSequencer(hash)`. */
  startSequencer(hash: string): Promise<void>
  /** `admin_stopSequencer`: the hash of the last block. */
  stopSequencer(): Promise<string>
  /** `admin_postUnsafePayload(envelope)`. */
  postUnsafePayload(envelope: EnvelopeJson): Promise<void>
  /** `admin_conductorEnabled`. */
  conductorEnabled(): Promise<boolean>
  /** The EL's `eth_getBlockByNumber("latest")`: number and hash. */
  latestUnsafeBlock(): Promise<{ number: bigint; hash: string }>
}

export function sequencerControl(node: RpcClient, exec: RpcClient, timeoutMs = 5_000): SequencerControl {
  return {
    sequencerActive: () => node.call<boolean>('admin_sequencerActive', [], timeoutMs),
    startSequencer: async (hash) => void (await node.call('admin_startSequencer', [hash], timeoutMs)),
    stopSequencer: () => node.call<string>('admin_stopSequencer', [], timeoutMs),
    postUnsafePayload: async (envelope) => void (await node.call('admin_postUnsafePayload', [envelope], timeoutMs)),
    conductorEnabled: () => node.call<boolean>('admin_conductorEnabled', [], timeoutMs),
    async latestUnsafeBlock() {
      const b = await exec.call<{ number: string; hash: string } | null>('eth_getBlockByNumber', ['latest', false], timeoutMs)
      if (!b) throw new Error('execution client has no latest block')
      return { number: BigInt(b.number), hash: b.hash }
    },
  }
}
