import { describe, expect, test } from 'vitest'
import { l1Deployment, MULTICALL3 } from '../plan/l1Deployment.js'
import { PREDEPLOYS } from '../plan/l2Predeploys.js'
import { defaultTopology } from '../topology/index.js'
import { devnetChains, devnetContracts } from './chains.js'

describe('devnetChains', () => {
  test('default: L2 names its source chain and the L1 contracts viem looks up; no L2OutputOracle', () => {
    const topology = defaultTopology()
    const l1 = l1Deployment(topology).addresses
    const { l1: l1Chain, l2 } = devnetChains({ topology, name: 'devnet', l1Url: 'http://127.0.0.1:1', l2Url: 'http://127.0.0.1:2', l1 })
    expect(l1Chain.id).toBe(900)
    expect(l1Chain.contracts.multicall3.address).toBe(MULTICALL3)
    expect(l2.id).toBe(901)
    expect(l2.sourceId).toBe(900)
    expect(l2.contracts.portal[900].address).toBe(l1.OptimismPortalProxy)
    expect(l2.contracts.disputeGameFactory[900].address).toBe(l1.DisputeGameFactoryProxy)
    expect(l2.contracts.l1StandardBridge[900].address).toBe(l1.L1StandardBridgeProxy)
    expect('l2OutputOracle' in l2.contracts).toBe(false)
    expect(l2.rpcUrls.default.http).toEqual(['http://127.0.0.1:2'])
  })

  test('default: descriptor contracts use op-deployer names', () => {
    const l1 = l1Deployment(defaultTopology()).addresses
    const contracts = devnetContracts(l1)
    expect(contracts.l1.OptimismPortalProxy).toBe(l1.OptimismPortalProxy)
    expect(contracts.l1.Multicall3).toBe(MULTICALL3)
    expect(contracts.l2.GasPriceOracle).toBe(PREDEPLOYS.GasPriceOracle)
  })
})
