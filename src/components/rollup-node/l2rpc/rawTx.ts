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
  if (!tx) return null
  if (Number(tx.type) !== DEPOSIT_TX_TYPE) return engine.call<Hex>(method, [hash])
  const raw = encodeDepositTx({
    sourceHash: tx.sourceHash,
    from: tx.from,
    to: tx.to,
    mint: BigInt(tx.mint ?? 0),
    value: BigInt(tx.value),
    gas: BigInt(tx.gas),
    isSystemTx: tx.isSystemTx === true,
    data: tx.input,
  })
  if (keccak256(raw) !== tx.hash.toLowerCase()) rpcFail(-32000, `deposit ${hash} does not re-encode to its hash`)
  return raw
}
