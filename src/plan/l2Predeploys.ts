/**
 * The L2 predeploys of the genesis (pure), laid out as upstream's L2Genesis does: each predeploy is a
 * `Proxy` at its `0x4200…` address whose admin is the L2 ProxyAdmin (`0x4200…0018`, itself proxied and
 * owned by the admin key), with the implementation's runtime code at the code namespace address
 * `0xc0D3C0d3…<low 16 bits>` and initialized storage written directly (EIP-1967 slots and the
 * contracts' own storage layout from the artifacts). Unlike upstream, only the predeploys listed here get
 * proxies (upstream fills all 2048 addresses of the namespace).
 */
import { getAddress, keccak256, numberToHex, pad, stringToHex, type Address, type Hex } from 'viem'
import type { Topology } from '../topology/types.js'
import { deployedCode, packStorage, type ContractName } from './artifacts.js'
import { devKeys } from './keys.js'
import { l1Deployment } from './l1Deployment.js'

/** Predeploy addresses (`Predeploys.sol`). */
export const PREDEPLOYS = {
  L2CrossDomainMessenger: '0x4200000000000000000000000000000000000007',
  GasPriceOracle: '0x420000000000000000000000000000000000000F',
  L2StandardBridge: '0x4200000000000000000000000000000000000010',
  SequencerFeeVault: '0x4200000000000000000000000000000000000011',
  L1Block: '0x4200000000000000000000000000000000000015',
  L2ToL1MessagePasser: '0x4200000000000000000000000000000000000016',
  ProxyAdmin: '0x4200000000000000000000000000000000000018',
  BaseFeeVault: '0x4200000000000000000000000000000000000019',
  L1FeeVault: '0x420000000000000000000000000000000000001A',
} as const satisfies Partial<Record<ContractName, Address>>
export type PredeployName = keyof typeof PREDEPLOYS

/** EIP-1967 slots: `keccak256('eip1967.proxy.implementation') - 1` and `keccak256('eip1967.proxy.admin') - 1`. */
export const EIP1967 = {
  implementation: numberToHex(BigInt(keccak256(stringToHex('eip1967.proxy.implementation'))) - 1n, { size: 32 }),
  admin: numberToHex(BigInt(keccak256(stringToHex('eip1967.proxy.admin'))) - 1n, { size: 32 }),
}

/** `Constants.DEFAULT_L2_SENDER`: the messenger's `xDomainMsgSender` outside a relay. */
const DEFAULT_L2_SENDER: Address = '0x000000000000000000000000000000000000dEaD'

/** Fee vault parameters: upstream devnet values (withdraw to L1, 10 ETH minimum). */
export const feeVaultDefaults = { minWithdrawalAmount: 10n * 10n ** 18n, withdrawalNetworkL1: 0 }

/** The implementation address of a predeploy: `0xc0D3C0d3C0d3C0D3c0d3C0D3c0D3c0d3c0d3` ++ its low 2 bytes. */
export function implementationAddress(predeploy: Address): Address {
  return getAddress(`0xc0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d3${predeploy.slice(-4)}`)
}

interface Account {
  balance: Hex
  code: Hex
  nonce: Hex
  storage?: Record<Hex, Hex>
}

/**
 * The predeploy accounts of a topology's L2 genesis: proxies, implementations and initialized storage.
 * GasPriceOracle has Ecotone and Fjord set (`isEcotone`, `isFjord`); the messenger and the standard bridge
 * are initialized against their L1 proxies; the fee vaults pay the admin key on L1.
 * @example
 * l2PredeployAlloc(defaultTopology())['0x420000000000000000000000000000000000000F'].code // the Proxy
 */
export function l2PredeployAlloc(topology: Topology): Record<Address, Account> {
  const admin = devKeys(topology).admin.address
  const l1 = l1Deployment(topology).addresses
  const word = (value: Address | bigint | number): Hex => pad(typeof value === 'string' ? (value.toLowerCase() as Hex) : numberToHex(value), { size: 32 })
  const vault = (name: ContractName) =>
    deployedCode(name, {
      RECIPIENT: word(admin),
      MIN_WITHDRAWAL_AMOUNT: word(feeVaultDefaults.minWithdrawalAmount),
      WITHDRAWAL_NETWORK: word(feeVaultDefaults.withdrawalNetworkL1),
    })
  const addr = (a: Address) => BigInt(a)
  const initialized = { _initialized: 1n }
  const impls: Record<PredeployName, { code: Hex; storage?: Record<Hex, Hex> }> = {
    L2CrossDomainMessenger: {
      code: deployedCode('L2CrossDomainMessenger'),
      storage: packStorage('L2CrossDomainMessenger', {
        ...initialized,
        xDomainMsgSender: addr(DEFAULT_L2_SENDER),
        otherMessenger: addr(l1.L1CrossDomainMessengerProxy),
      }),
    },
    GasPriceOracle: { code: deployedCode('GasPriceOracle'), storage: packStorage('GasPriceOracle', { isEcotone: 1n, isFjord: 1n }) },
    L2StandardBridge: {
      code: deployedCode('L2StandardBridge'),
      storage: packStorage('L2StandardBridge', {
        ...initialized,
        messenger: addr(PREDEPLOYS.L2CrossDomainMessenger),
        otherBridge: addr(l1.L1StandardBridgeProxy),
      }),
    },
    SequencerFeeVault: { code: vault('SequencerFeeVault') },
    L1Block: { code: deployedCode('L1Block') },
    L2ToL1MessagePasser: { code: deployedCode('L2ToL1MessagePasser') },
    ProxyAdmin: { code: deployedCode('ProxyAdmin'), storage: packStorage('ProxyAdmin', { _owner: addr(admin) }) },
    BaseFeeVault: { code: vault('BaseFeeVault') },
    L1FeeVault: { code: vault('L1FeeVault') },
  }
  const proxyCode = deployedCode('Proxy')
  const alloc: Record<Address, Account> = {}
  for (const [name, proxy] of Object.entries(PREDEPLOYS) as Array<[PredeployName, Address]>) {
    const impl = implementationAddress(proxy)
    alloc[proxy] = {
      balance: '0x0',
      code: proxyCode,
      nonce: '0x1',
      storage: { ...impls[name].storage, [EIP1967.implementation]: word(impl), [EIP1967.admin]: word(PREDEPLOYS.ProxyAdmin) },
    }
    alloc[impl] = { balance: '0x0', code: impls[name].code, nonce: '0x1' }
  }
  return alloc
}

