import { encodeAbiParameters, getContractAddress, keccak256, numberToHex, parseEther } from 'viem'
import { describe, expect, test } from 'vitest'
import { defaultTopology } from '../topology/index.js'
import { devKeys } from './keys.js'
import { L1_CONTRACTS, l1GenesisStorage, l1Deployment, MULTICALL3, stepData, type DeployStep } from './l1Deployment.js'

const calls = (steps: DeployStep[], functionName: string) =>
  steps.flatMap((s, i) => (s.kind === 'call' && s.functionName === functionName ? [{ ...s, i }] : []))

describe('l1Deployment', () => {
  test('default: every contract at the admin key nonce of its creation', () => {
    const t = defaultTopology()
    const { deployer, steps, addresses } = l1Deployment(t)
    expect(deployer).toBe(devKeys(t).admin.address)
    expect(Object.keys(addresses).sort()).toEqual([...L1_CONTRACTS, 'Multicall3'].sort())
    expect(addresses.Multicall3).toBe(MULTICALL3)
    steps.forEach((step, i) => {
      if (step.kind === 'create') expect(step.address).toBe(getContractAddress({ from: deployer, nonce: BigInt(i) }))
    })
    for (const step of steps) expect(stepData(step)).toMatch(/^0x([0-9a-fA-F]{2})+$/)
    expect(l1Deployment(t)).toEqual(l1Deployment(defaultTopology()))
  })

  test('behavior: proxies initialized through ProxyAdmin, the portal first, the messenger and bridge as upstream keeps them', () => {
    const { steps, addresses: a } = l1Deployment(defaultTopology())
    const inits = calls(steps, 'upgradeAndCall').map((s) => s.args[0])
    expect(inits).toEqual([
      a.SuperchainConfigProxy, a.OptimismPortalProxy, a.SystemConfigProxy, a.L1CrossDomainMessengerProxy, a.L1StandardBridgeProxy,
      a.DisputeGameFactoryProxy, a.DelayedWETHProxy, a.AnchorStateRegistryProxy,
    ])
    const created = (name: string) => steps.find((s) => s.kind === 'create' && s.name === name) as Extract<DeployStep, { kind: 'create' }>
    expect(created('L1CrossDomainMessengerProxy').contract).toBe('ResolvedDelegateProxy')
    expect(created('L1StandardBridgeProxy').contract).toBe('L1ChugSplashProxy')
    expect(created('OptimismPortalProxy').contract).toBe('Proxy')
    expect(calls(steps, 'setProxyType').map((s) => s.args)).toEqual([[a.L1CrossDomainMessengerProxy, 2], [a.L1StandardBridgeProxy, 1]])
  })

  test('args: settlement keys reach the portal and the games; both game types registered with the init bond', () => {
    const t = defaultTopology()
    Object.assign(t.settlement, { proofMaturityDelaySeconds: 7, disputeGameFinalityDelaySeconds: 9, maxClockDuration: 30, splitDepth: 8, initBond: '5', gameType: 254 })
    const { steps, addresses: a } = l1Deployment(t)
    const created = (name: string) => (steps.find((s) => s.kind === 'create' && s.name === name) as Extract<DeployStep, { kind: 'create' }>).args
    expect(created('OptimismPortalImpl')).toEqual([7n, 9n])
    // (gameType, prestate, maxGameDepth, splitDepth, clockExtension, maxClockDuration, vm, weth, anchors, l2ChainId)
    expect(created('FaultDisputeGameAlphabet')).toEqual([255, expect.any(String), 12n, 8n, 0n, 30n, a.AlphabetVM, a.DelayedWETHProxy, a.AnchorStateRegistryProxy, 901n])
    expect(created('FaultDisputeGameFast')).toEqual([254, expect.any(String), 12n, 8n, 0n, 0n, a.AlphabetVM, a.DelayedWETHProxy, a.AnchorStateRegistryProxy, 901n])
    expect(calls(steps, 'setImplementation').map((s) => s.args)).toEqual([[255, a.FaultDisputeGameAlphabet], [254, a.FaultDisputeGameFast]])
    expect(calls(steps, 'setInitBond').map((s) => s.args)).toEqual([[255, 5n], [254, 5n]])
    expect(defaultTopology().settlement.initBond).toBe(parseEther('0.08').toString())
  })

  test('behavior: l1GenesisStorage writes anchors[gameType] = (root, 0) at solc mapping slots, resets recorded block numbers', () => {
    const { addresses: a } = l1Deployment(defaultTopology())
    const root = keccak256('0x1234')
    // ResourceParams {uint128 prevBaseFee, uint64 prevBoughtGas, uint64 prevBlockNum} packed in slot 1 of the portal.
    const params = numberToHex((41n << 192n) | (7n << 128n) | 1_000_000_000n, { size: 32 })
    const patches = l1GenesisStorage(a, root, (address, slot) => (address === a.OptimismPortalProxy && BigInt(slot) === 1n ? params : undefined))
    expect(BigInt(patches[a.OptimismPortalProxy][numberToHex(1, { size: 32 })])).toBe((7n << 128n) | 1_000_000_000n)
    const patch = patches[a.AnchorStateRegistryProxy]
    for (const gameType of [254, 255]) {
      // `anchors` is slot 1 of AnchorStateRegistry (after Initializable's packed slot 0).
      const slot = BigInt(keccak256(encodeAbiParameters([{ type: 'uint32' }, { type: 'uint256' }], [gameType, 1n])))
      expect(patch[numberToHex(slot, { size: 32 })]).toBe(root)
      expect(BigInt(patch[numberToHex(slot + 1n, { size: 32 })])).toBe(0n)
    }
  })
})
