/**
 * `eth_getRawTransactionByHash` / `debug_getRawTransaction` without crashing anvil: measured, anvil 1.7.1
 * exits (the node with it) when asked for the raw bytes of a deposit. Deposits are encoded here from
 * the transaction anvil returns (op-geth's `0x7E ++ rlp(...)`), checked against the hash; other
 * transactions go to anvil.
 */
import { keccak256, type Address, type Hex } from 'viem'
import { DEPOSIT_TX_TYPE } from '../../../protocol/constants.js'
import { encodeDepositTx } from '../../../protocol/deposit.js'
import { rpcFail, type RpcClient } from '../../shared/jsonrpc.js'

interface DepositJson {
  hash: Hex
  type: Hex
  sourceHash: Hex
  from: Address
  to: Address | null
  mint?: Hex
  value: Hex
  gas: Hex
  isSystemTx?: boolean
  input: Hex
}

/** The raw bytes of transaction `hash` (null when unknown), by `method` for non-deposits. */
export async function rawTransaction(engine: RpcClient, method: string, hash: unknown): Promise<Hex | null> {
  if (typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash)) rpcFail(-32602, 'invalid argument 0: expected a 32-byte transaction hash')
  const tx = await engine.call<DepositJson | null>('eth_getTransactionByHash', [hash])
  return tx ? rawTransactionOf(engine, tx, method) : null
}

/** The raw bytes of a transaction anvil returned (e.g. from a full block): deposits encoded here, others by `method`. */
export async function rawTransactionOf(engine: RpcClient, tx: { hash: Hex; type: Hex }, method = 'eth_getRawTransactionByHash'): Promise<Hex> {
  if (Number(tx.type) !== DEPOSIT_TX_TYPE) return engine.call<Hex>(method, [tx.hash])
  const d = tx as DepositJson
  const raw = encodeDepositTx({
    sourceHash: d.sourceHash,
    from: d.from,
    to: d.to,
    mint: BigInt(d.mint ?? 0),
    value: BigInt(d.value),
    gas: BigInt(d.gas),
    isSystemTx: d.isSystemTx === true,
    data: d.input,
  })
  if (keccak256(raw) !== d.hash.toLowerCase()) rpcFail(-32000, `deposit ${d.hash} does not re-encode to its hash`)
  return raw
}
