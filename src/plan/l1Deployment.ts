/**
 * The L1 settlement deployment as data (pure): every transaction the admin key sends, in order, to a fresh
 * L1 to deploy `@eth-optimism/contracts-bedrock@0.17.3`'s fault-proof set behind proxies, as the upstream
 * deploy script lays it out. Transaction `i` is sent at the admin's nonce `i`, so every address is known
 * up front. `src/devnet/l1Contracts.ts` runs the steps on a throwaway anvil and caches the resulting state.
 */
import { encodeDeployData, encodeFunctionData, getContractAddress, keccak256, maxUint128, numberToHex, pad, stringToHex, type Address, type Hex } from 'viem'
import { batchInboxAddress } from '../protocol/inbox.js'
import { GAME_TYPES, type Topology } from '../topology/types.js'
import { artifact, mappingSlot, setField, slotKey, storageVar, type ContractName } from './artifacts.js'
import { genesisDefaults } from './genesisDefaults.js'
import { devKeys } from './keys.js'

/** The L1 contracts, by op-deployer's names (proxies) plus the implementations and game contracts. */
export const L1_CONTRACTS = [
  'ProxyAdmin', 'AddressManager',
  'SuperchainConfigProxy', 'SuperchainConfigImpl',
  'OptimismPortalProxy', 'SystemConfigProxy', 'DisputeGameFactoryProxy', 'AnchorStateRegistryProxy', 'DelayedWETHProxy',
  'L1CrossDomainMessengerProxy', 'L1StandardBridgeProxy',
  'OptimismPortalImpl', 'SystemConfigImpl', 'DisputeGameFactoryImpl', 'AnchorStateRegistryImpl', 'DelayedWETHImpl',
  'L1CrossDomainMessengerImpl', 'L1StandardBridgeImpl',
  'PreimageOracle', 'AlphabetVM', 'FaultDisputeGameAlphabet', 'FaultDisputeGameFast',
] as const
export type L1ContractName = (typeof L1_CONTRACTS)[number] | 'Multicall3'
export type L1Addresses = Record<L1ContractName, Address>

/** Multicall3's canonical address (the same on every chain); its code is placed in the L1 genesis. */
export const MULTICALL3: Address = '0xcA11bde05977b3631167028862bE2a173976CA11'

/** Deployment constants that are not topology keys. */
export const l1DeploymentDefaults = {
  /** AlphabetVM's absolute prestate: keccak256(uint256(0x60)) with byte 0 = 3 (VMStatus UNFINISHED). */
  absolutePrestate: '0x03c7ae758795765c6664a5d39bf63841c71ff191e9189522bad8ebff5d4eca98' as Hex,
  /** DelayedWETH withdrawal delay, seconds. @default 0 (devnet) */
  delayedWethDelaySeconds: 0,
  /** PreimageOracle `(minProposalSize, challengePeriod)`: the alphabet VM reads no large preimages. */
  preimageOracle: { minProposalSize: 0, challengePeriod: 0 },
  /** ResourceMetering config upstream uses (`Constants.DEFAULT_RESOURCE_CONFIG`). */
  resourceConfig: {
    maxResourceLimit: 20_000_000,
    elasticityMultiplier: 10,
    baseFeeMaxChangeDenominator: 8,
    minimumBaseFee: 1_000_000_000,
    systemTxMaxGas: 1_000_000,
    maximumBaseFee: maxUint128,
  },
  /**
   * Anchor root written at deployment; the planner replaces it with the L2 genesis output root of each
   * devnet (it changes with the genesis time), so one cached deployment serves every genesis time.
   */
  placeholderAnchor: keccak256(stringToHex('op-devnet: anchor root set by the planner')),
}

/** One transaction of the deployment: a contract creation or a call, from the admin key. */
export type DeployStep =
  | { kind: 'create'; name: L1ContractName; contract: ContractName; args: readonly unknown[]; address: Address }
  | { kind: 'call'; to: Address; contract: ContractName; functionName: string; args: readonly unknown[] }

export interface L1Deployment {
  /** The admin key's address: sends every step, owns ProxyAdmin, SystemConfig, the factory, DelayedWETH. */
  deployer: Address
  steps: DeployStep[]
  addresses: L1Addresses
}

/** ProxyAdmin's `ProxyType` enum. */
const PROXY_TYPE = { ERC1967: 0, CHUGSPLASH: 1, RESOLVED: 2 } as const
const MESSENGER_NAME = 'OVM_L1CrossDomainMessenger'
const ZERO: Address = '0x0000000000000000000000000000000000000000'

/** Calldata of `contract.functionName(args)`. */
const calldata = (contract: ContractName, functionName: string, args: readonly unknown[]): Hex =>
  encodeFunctionData({ abi: artifact(contract).abi, functionName, args })

/**
 * The deployment for a topology: order of the upstream script (ProxyAdmin and SuperchainConfig, the
 * proxies, the implementations, the initializations with the portal first, the games), with the
 * SystemConfig initialized to rollup.json's genesis system config so derivation sees no change.
 * @example
 * l1Deployment(defaultTopology()).addresses.OptimismPortalProxy
 */
export function l1Deployment(topology: Topology): L1Deployment {
  const keys = devKeys(topology)
  const deployer = keys.admin.address
  const s = topology.settlement
  const steps: DeployStep[] = []
  const addresses = { Multicall3: MULTICALL3 } as L1Addresses
  const create = (name: L1ContractName, contract: ContractName, args: readonly unknown[] = []): Address => {
    const address = getContractAddress({ from: deployer, nonce: BigInt(steps.length) })
    steps.push({ kind: 'create', name, contract, args, address })
    addresses[name] = address
    return address
  }
  const call = (to: Address, contract: ContractName, functionName: string, args: readonly unknown[]) =>
    steps.push({ kind: 'call', to, contract, functionName, args })
  const initialize = (proxy: Address, impl: Address, contract: ContractName, args: readonly unknown[]) =>
    call(addresses.ProxyAdmin, 'ProxyAdmin', 'upgradeAndCall', [proxy, impl, calldata(contract, 'initialize', args)])

  // Superchain: ProxyAdmin, AddressManager (legacy messenger proxy), SuperchainConfig.
  const proxyAdmin = create('ProxyAdmin', 'ProxyAdmin', [deployer])
  const addressManager = create('AddressManager', 'AddressManager')
  const superchainConfig = create('SuperchainConfigProxy', 'Proxy', [proxyAdmin])
  initialize(superchainConfig, create('SuperchainConfigImpl', 'SuperchainConfig'), 'SuperchainConfig', [deployer, false])

  // Proxies: ERC-1967 ones owned by ProxyAdmin; the messenger resolves through the AddressManager and the
  // standard bridge is an L1ChugSplashProxy, as upstream keeps them for their legacy addresses.
  const portal = create('OptimismPortalProxy', 'Proxy', [proxyAdmin])
  const systemConfig = create('SystemConfigProxy', 'Proxy', [proxyAdmin])
  const factory = create('DisputeGameFactoryProxy', 'Proxy', [proxyAdmin])
  const anchorRegistry = create('AnchorStateRegistryProxy', 'Proxy', [proxyAdmin])
  const weth = create('DelayedWETHProxy', 'Proxy', [proxyAdmin])
  const messenger = create('L1CrossDomainMessengerProxy', 'ResolvedDelegateProxy', [addressManager, MESSENGER_NAME])
  const bridge = create('L1StandardBridgeProxy', 'L1ChugSplashProxy', [proxyAdmin])
  call(proxyAdmin, 'ProxyAdmin', 'setAddressManager', [addressManager])
  call(addressManager, 'AddressManager', 'transferOwnership', [proxyAdmin])
  call(proxyAdmin, 'ProxyAdmin', 'setProxyType', [messenger, PROXY_TYPE.RESOLVED])
  call(proxyAdmin, 'ProxyAdmin', 'setImplementationName', [messenger, MESSENGER_NAME])
  call(proxyAdmin, 'ProxyAdmin', 'setProxyType', [bridge, PROXY_TYPE.CHUGSPLASH])

  // Implementations.
  const portalImpl = create('OptimismPortalImpl', 'OptimismPortal2', [BigInt(s.proofMaturityDelaySeconds), BigInt(s.disputeGameFinalityDelaySeconds)])
  const systemConfigImpl = create('SystemConfigImpl', 'SystemConfig')
  const messengerImpl = create('L1CrossDomainMessengerImpl', 'L1CrossDomainMessenger')
  const bridgeImpl = create('L1StandardBridgeImpl', 'L1StandardBridge')
  const factoryImpl = create('DisputeGameFactoryImpl', 'DisputeGameFactory')
  const wethImpl = create('DelayedWETHImpl', 'DelayedWETH', [BigInt(l1DeploymentDefaults.delayedWethDelaySeconds)])
  const { minProposalSize, challengePeriod } = l1DeploymentDefaults.preimageOracle
  const oracle = create('PreimageOracle', 'PreimageOracle', [BigInt(minProposalSize), BigInt(challengePeriod)])
  const vm = create('AlphabetVM', 'AlphabetVM', [l1DeploymentDefaults.absolutePrestate, oracle])
  const anchorRegistryImpl = create('AnchorStateRegistryImpl', 'AnchorStateRegistry', [factory])

  // Initialization, portal first.
  initialize(portal, portalImpl, 'OptimismPortal2', [factory, systemConfig, superchainConfig, s.gameType])
  initialize(systemConfig, systemConfigImpl, 'SystemConfig', [
    deployer,
    genesisDefaults.baseFeeScalar,
    genesisDefaults.blobBaseFeeScalar,
    pad(keys.batcher.address),
    BigInt(genesisDefaults.gasLimit),
    keys.sequencer.address,
    l1DeploymentDefaults.resourceConfig,
    batchInboxAddress(topology.l2.chainId),
    {
      l1CrossDomainMessenger: messenger,
      l1ERC721Bridge: ZERO,
      l1StandardBridge: bridge,
      disputeGameFactory: factory,
      optimismPortal: portal,
      optimismMintableERC20Factory: ZERO,
      gasPayingToken: ZERO,
    },
  ])
  initialize(messenger, messengerImpl, 'L1CrossDomainMessenger', [superchainConfig, portal, systemConfig])
  initialize(bridge, bridgeImpl, 'L1StandardBridge', [messenger, superchainConfig, systemConfig])
  initialize(factory, factoryImpl, 'DisputeGameFactory', [deployer])
  initialize(weth, wethImpl, 'DelayedWETH', [deployer, superchainConfig])
  const anchors = Object.values(GAME_TYPES).map((gameType) => ({
    gameType,
    outputRoot: { root: l1DeploymentDefaults.placeholderAnchor, l2BlockNumber: 0n },
  }))
  initialize(anchorRegistry, anchorRegistryImpl, 'AnchorStateRegistry', [anchors])

  // Games: ALPHABET with the topology's clock; FAST, the same game with a zero clock (resolves at once).
  const maxGameDepth = BigInt(s.splitDepth + 4)
  const game = (name: L1ContractName, gameType: number, maxClockDuration: number) =>
    create(name, 'FaultDisputeGame', [
      gameType, l1DeploymentDefaults.absolutePrestate, maxGameDepth, BigInt(s.splitDepth), 0n, BigInt(maxClockDuration),
      vm, weth, anchorRegistry, BigInt(topology.l2.chainId),
    ])
  const games = [
    [GAME_TYPES.ALPHABET, game('FaultDisputeGameAlphabet', GAME_TYPES.ALPHABET, s.maxClockDuration)],
    [GAME_TYPES.FAST, game('FaultDisputeGameFast', GAME_TYPES.FAST, 0)],
  ] as const
  for (const [gameType, impl] of games) {
    call(factory, 'DisputeGameFactory', 'setImplementation', [gameType, impl])
    call(factory, 'DisputeGameFactory', 'setInitBond', [gameType, BigInt(s.initBond)])
  }
  return { deployer, steps, addresses }
}

/** The transaction data of a step. */
export function stepData(step: DeployStep): Hex {
  if (step.kind === 'call') return calldata(step.contract, step.functionName, step.args)
  const { abi, bytecode } = artifact(step.contract, ['bytecode'])
  return encodeDeployData({ abi, bytecode: bytecode!, args: step.args })
}

/**
 * Storage the planner writes over the cached deployment for one devnet (`words` reads the cached storage):
 * every game type's anchor in the AnchorStateRegistry set to the L2 genesis output root at block 0
 * (`anchors[gameType] = {root, 0}`), and the block numbers the deployment recorded on the throwaway L1
 * reset to 0, since the contracts exist from L1 genesis: SystemConfig's start block and the portal's
 * resource metering `params.prevBlockNum` (left at the throwaway L1's height, the first deposit would
 * underflow on `block.number - prevBlockNum`).
 */
export function l1GenesisStorage(
  addresses: L1Addresses,
  genesisOutputRoot: Hex,
  words: (address: Address, slot: Hex) => Hex | undefined,
): Record<Address, Record<Hex, Hex>> {
  const anchors = storageVar('AnchorStateRegistry', 'anchors').slot
  const registry: Record<Hex, Hex> = {}
  for (const gameType of Object.values(GAME_TYPES)) {
    const slot = mappingSlot(numberToHex(gameType), anchors)
    registry[slotKey(slot)] = genesisOutputRoot
    registry[slotKey(slot + 1n)] = slotKey(0)
  }
  const startBlockSlot = numberToHex(BigInt(keccak256(stringToHex('systemconfig.startBlock'))) - 1n, { size: 32 })
  const prevBlockNum = storageVar('OptimismPortal2', 'params.prevBlockNum')
  const paramsSlot = slotKey(prevBlockNum.slot)
  return {
    [addresses.AnchorStateRegistryProxy]: registry,
    [addresses.SystemConfigProxy]: { [startBlockSlot]: slotKey(0) },
    [addresses.OptimismPortalProxy]: { [paramsSlot]: setField(words(addresses.OptimismPortalProxy, paramsSlot), prevBlockNum, 0n) },
  }
}
