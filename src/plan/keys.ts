/**
 * Dev keys: every role and funded account derives from the topology's mnemonic at the standard
 * Ethereum path `m/44'/60'/0'/0/<index>`. They are public test keys: never use them on a real network.
 */
import { createHmac, pbkdf2Sync } from 'node:crypto'
import { bytesToHex, type Address, type Hex } from 'viem'
import { addressOfPublicKey, publicKeyOf } from '../protocol/secp256k1.js'
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
const roots = new Map<string, { key: Buffer; chain: Buffer }>()
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** BIP-32 child key derivation (private parent to private child). */
function child(parent: { key: Buffer; chain: Buffer }, index: number): { key: Buffer; chain: Buffer } {
  const ser = Buffer.alloc(4)
  ser.writeUInt32BE(index >>> 0)
  const data = index >= 0x80000000 ? Buffer.concat([Buffer.alloc(1), parent.key, ser]) : Buffer.concat([publicKeyOf(parent.key, 'compressed'), ser])
  const i = createHmac('sha512', parent.chain).update(data).digest()
  const k = (BigInt(`0x${i.subarray(0, 32).toString('hex')}`) + BigInt(`0x${parent.key.toString('hex')}`)) % CURVE_ORDER
  if (k === 0n) throw new Error(`invalid HD child key at index ${index}`)
  return { key: Buffer.from(k.toString(16).padStart(64, '0'), 'hex'), chain: i.subarray(32) }
}

/** The BIP-32 key at `m/44'/60'/0'/0` of a BIP-39 mnemonic (no passphrase), once per mnemonic. */
function accountRoot(mnemonic: string): { key: Buffer; chain: Buffer } {
  let root = roots.get(mnemonic)
  if (!root) {
    const seed = pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512')
    const master = createHmac('sha512', 'Bitcoin seed').update(seed).digest()
    root = [0x8000002c, 0x8000003c, 0x80000000, 0].reduce(child, { key: master.subarray(0, 32), chain: master.subarray(32) })
    roots.set(mnemonic, root)
  }
  return root
}

/**
 * The key at `m/44'/60'/0'/0/<index>` of `mnemonic` (cached).
 * @example
 * devKey('test test test test test test test test test test test junk', 0).address
 * // '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
 */
export function devKey(mnemonic: string, index: number): DevKey {
  const id = `${index}:${mnemonic}`
  let key = cache.get(id)
  if (!key) {
    const { key: privateKey } = child(accountRoot(mnemonic), index)
    const address = addressOfPublicKey(publicKeyOf(privateKey, 'uncompressed'))
    key = { index, address, privateKey: bytesToHex(privateKey) }
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
