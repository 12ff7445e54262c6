/**
 * Waiting for an L1 transaction as op-service's txmgr does it, for the proposer and the challenger: poll the
 * receipt, and give up as soon as the node no longer knows the transaction (an L1 reorg dropped it from
 * the chain and the pool) instead of waiting out the timeout; the caller's next round sends it again.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Hex } from 'viem'

export type Call = <T>(method: string, params: unknown[]) => Promise<T>

export type Mined<R> = { receipt: R } | { dropped: true } | { timedOut: true }

/**
 * Polls `eth_getTransactionReceipt` every `pollMs` (default 200); checks `eth_getTransactionByHash` every
 * fifth poll. Aborting `signal` (the component is stopping) ends the wait at once: it throws the signal's reason.
 */
export async function waitMined<R>(call: Call, hash: Hex, timeoutMs: number, options: { pollMs?: number; signal?: AbortSignal } = {}): Promise<Mined<R>> {
  const { pollMs = 200, signal } = options
  for (let i = 0, deadline = Date.now() + timeoutMs; Date.now() < deadline; i++) {
    signal?.throwIfAborted()
    const receipt = await call<R | null>('eth_getTransactionReceipt', [hash])
    if (receipt) return { receipt }
    if (i % 5 === 4 && (await call<unknown>('eth_getTransactionByHash', [hash])) === null) return { dropped: true }
    await sleep(pollMs, undefined, signal ? { signal } : {})
  }
  return { timedOut: true }
}
