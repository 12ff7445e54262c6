/**
 * Dev keys: every role and funded account derives from the topology's mnemonic at the standard
 * Ethereum path `m/44'/60'/0'/0/<index>`. They are public test keys: never use them on a real network.
 */
import { bytesToHex, type Address, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import type { Topology } from '../topology/types.js'

/** A role of the dev keys, as `keys.roles` of the topology names them. */
export type KeyRole = keyof Topology['keys']['roles']

/** Roles in the order `devnet up` prints them. */
export const KEY_ROLES = ['admin', 'batcher', 'proposer', 'challenger', 'sequencer'] as const satisfies readonly KeyRole[]

export interface DevKey {
  /** HD index `i` of `m/44'/60'/0'/0/i`. */
  index: number
  address: Address
  privateKey: Hex
}

/** One key per role, plus the funded accounts `0..fundedAccounts-1`. */
export type DevKeys = Record<KeyRole, DevKey> & { accounts: DevKey[] }

const cache = new Map<string, DevKey>()

/**
 * The key at `m/44'/60'/0'/0/<index>` of `mnemonic` (cached: HD derivation costs a few ms).
 * @example
 * devKey('test test test test test test test test test test test junk', 0).address
 * // '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
 */
export function devKey(mnemonic: string, index: number): DevKey {
  const id = `${index}:${mnemonic}`
  let key = cache.get(id)
  if (!key) {
    const account = mnemonicToAccount(mnemonic, { addressIndex: index })
    const privateKey = account.getHdKey().privateKey
    if (!privateKey) throw new Error(`no private key at index ${index}`)
    key = { index, address: account.address, privateKey: bytesToHex(privateKey) }
    cache.set(id, key)
  }
  return { ...key }
}

/**
 * Every dev key of a topology: one per role (`keys.roles`) and the funded accounts.
 * @example
 * const keys = devKeys(defaultTopology())
 * keys.batcher.address // '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
 */
export function devKeys(topology: Topology): DevKeys {
  const { mnemonic, roles, fundedAccounts } = topology.keys
  const byRole = Object.fromEntries(KEY_ROLES.map((role) => [role, devKey(mnemonic, roles[role])])) as Record<KeyRole, DevKey>
  return { ...byRole, accounts: Array.from({ length: fundedAccounts }, (_, i) => devKey(mnemonic, i)) }
}
