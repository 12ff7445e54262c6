/**
 * proxyd's block tag rewriting for consensus-aware groups (proxyd's rewriter.go): `latest` / `safe` /
 * `finalized` become the group's consensus block numbers, a block number above consensus latest is
 * refused (-32019 "block is out of range"), and `eth_blockNumber` is answered locally. Pure.
 */
import { errors, type ProxydError } from './errors.js'

export interface ConsensusBlocks {
  latest: number
  safe: number
  finalized: number
}

export type Rewrite =
  | { kind: 'none' }
  | { kind: 'request'; params: unknown[] }
  | { kind: 'response'; result: unknown }
  | { kind: 'error'; error: ProxydError }

/** Position of the block parameter, and whether it may be an EIP-1898 `{blockNumber|blockHash}` object. */
const blockParam: Record<string, { pos: number; orHash: boolean; required?: boolean }> = {
  eth_getBalance: { pos: 1, orHash: true },
  eth_getCode: { pos: 1, orHash: true },
  eth_getTransactionCount: { pos: 1, orHash: true },
  eth_call: { pos: 1, orHash: true },
  eth_getStorageAt: { pos: 2, orHash: true },
  eth_getProof: { pos: 2, orHash: true },
  eth_getBlockTransactionCountByNumber: { pos: 0, orHash: false },
  eth_getUncleCountByBlockNumber: { pos: 0, orHash: false },
  eth_getBlockByNumber: { pos: 0, orHash: false },
  eth_getTransactionByBlockNumberAndIndex: { pos: 0, orHash: false },
  eth_getUncleByBlockNumberAndIndex: { pos: 0, orHash: false },
  debug_getRawReceipts: { pos: 0, orHash: false, required: true },
}

const hex = (n: number) => `0x${n.toString(16)}`

class OutOfRange extends Error {}
class Malformed extends Error {}

/** Rewrites one tag or number; returns undefined when it stays as it is. */
function rewriteTag(c: ConsensusBlocks, value: string): string | undefined {
  switch (value) {
    case 'latest':
      return hex(c.latest)
    case 'safe':
      return hex(c.safe)
    case 'finalized':
      return hex(c.finalized)
    case 'pending':
    case 'earliest':
      return undefined
  }
  if (!/^0x[0-9a-fA-F]+$/.test(value)) throw new Malformed(`invalid block tag ${value}`)
  if (value.length === 66) return undefined // a block hash
  if (Number.parseInt(value, 16) > c.latest) throw new OutOfRange()
  return undefined
}

function rewriteParam(c: ConsensusBlocks, value: unknown, orHash: boolean): unknown {
  if (typeof value === 'string') return rewriteTag(c, value)
  if (orHash && value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>
    if (typeof o.blockHash === 'string') return undefined
    if (typeof o.blockNumber === 'string') {
      const n = rewriteTag(c, o.blockNumber)
      return n === undefined ? undefined : { ...o, blockNumber: n }
    }
  }
  throw new Malformed('expected a block number, tag or hash')
}

function rewriteRange(c: ConsensusBlocks, params: unknown[]): unknown[] | undefined {
  const filter = params[0]
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) throw new Malformed('expected a filter object')
  const f = { ...(filter as Record<string, unknown>) }
  if (typeof f.blockHash === 'string') return undefined
  let changed = false
  if (f.fromBlock !== undefined && f.toBlock === undefined) (f.toBlock = 'latest'), (changed = true)
  else if (f.toBlock !== undefined && f.fromBlock === undefined) (f.fromBlock = 'latest'), (changed = true)
  for (const key of ['fromBlock', 'toBlock'] as const) {
    if (f[key] === undefined || f[key] === '') continue
    if (typeof f[key] !== 'string') throw new Malformed(`${key}: expected a string`)
    const n = rewriteTag(c, f[key] as string)
    if (n !== undefined) (f[key] = n), (changed = true)
  }
  return changed ? [f, ...params.slice(1)] : undefined
}

/** How proxyd rewrites `method(params)` against consensus blocks `c`. */
export function rewrite(c: ConsensusBlocks, method: string, params: unknown[]): Rewrite {
  if (method === 'eth_blockNumber') return { kind: 'response', result: hex(c.latest) }
  try {
    if (method === 'eth_getLogs' || method === 'eth_newFilter') {
      const p = rewriteRange(c, params)
      return p ? { kind: 'request', params: p } : { kind: 'none' }
    }
    const spec = blockParam[method]
    if (!spec) return { kind: 'none' }
    const p = [...params]
    if (p.length === spec.pos && !spec.required) p.push('latest')
    else if (p.length <= spec.pos) return { kind: 'none' }
    const v = rewriteParam(c, p[spec.pos], spec.orHash)
    if (v === undefined) return p.length === params.length ? { kind: 'none' } : { kind: 'request', params: p }
    p[spec.pos] = v
    return { kind: 'request', params: p }
  } catch (err) {
    return { kind: 'error', error: err instanceof OutOfRange ? errors.blockOutOfRange : errors.parse }
  }
}
