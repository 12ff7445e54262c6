import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { p2pPeerId, p2pPrivateKeyFromSeed } from '../../protocol/p2pIdentity.js'
import { decodeEnr, DiscoveryService, enrMismatch, freeUdpPort } from '../shared/discv5.js'
import { rpcClient } from '../shared/jsonrpc.js'
import { startBootnode } from './index.js'

describe('bootnode', () => {
  it('behavior: serves its ENR and the table of the nodes that looked it up', async () => {
    const key = p2pPrivateKeyFromSeed('bootnode-test', 0)
    const udpPort = await freeUdpPort()
    const rpcPort = await freeTcpPort() // a UDP-free number was once taken as TCP on a busy CI machine
    const boot = await startBootnode({ chainId: 901, listenIp: '127.0.0.1', udpPort, privateKey: key, bootnodes: [], discoveryPath: 'memory', rpc: { addr: '127.0.0.1', port: rpcPort } })
    const node = await DiscoveryService.start({ privateKey: p2pPrivateKeyFromSeed('bootnode-test', 1), listenIp: '127.0.0.1', udpPort: await freeUdpPort(), tcpPort: 9222, chainId: 901, bootnodes: [boot.discovery.enr()], path: 'memory' })
    try {
      const rpc = rpcClient(`http://127.0.0.1:${rpcPort}`)
      const self = await rpc.call<{ peerID: string; ENR: string; chainID: number }>('opp2p_self')
      expect(self).toMatchObject({ peerID: p2pPeerId(key), ENR: boot.discovery.enr(), chainID: 901 })
      const enr = decodeEnr(self.ENR)
      expect(enr.udp).toBe(udpPort)
      expect(enrMismatch(enr, 901)).toBeUndefined()
      await node.lookup()
      expect(await rpc.call<string[]>('opp2p_discoveryTable')).toEqual([node.enr()])
      expect(await rpc.call('opp2p_peerStats')).toMatchObject({ connected: 0, table: 1 })
    } finally {
      await node.stop()
      await boot.stop()
    }
  })
})

/** A TCP port free now on 127.0.0.1. */
function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
