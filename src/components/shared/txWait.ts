/**
 * Waiting for an L1 transaction as op-service's txmgr does it, for the proposer and the challenger: poll the
 * receipt, and give up as soon as the node no longer knows the transaction (an L1 reorg dropped it from
 * the chain and the pool) instead of waiting out the timeout; the caller's next round sends it again.
 */
import type { Hex } from 'viem'

export type Call = <T>(method: string, params: unknown[]) => Promise<T>

export type Mined<R> = { receipt: R } | { dropped: true } | { timedOut: true }

/** Polls `eth_getTransactionReceipt` every `pollMs`; checks `eth_getTransactionByHash` every fifth poll. */
export async function waitMined<R>(call: Call, hash: Hex, timeoutMs: number, pollMs = 200): Promise<Mined<R>> {
  for (let i = 0, deadline = Date.now() + timeoutMs; Date.now() < deadline; i++) {
    const receipt = await call<R | null>('eth_getTransactionReceipt', [hash])
    if (receipt) return { receipt }
    if (i % 5 === 4 && (await call<unknown>('eth_getTransactionByHash', [hash])) === null) return { dropped: true }
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  return { timedOut: true }
}
