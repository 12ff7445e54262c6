import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseBootnodeFlags } from './flags.js'

const dir = mkdtempSync(join(tmpdir(), 'bootnode-flags-'))
const rollup = join(dir, 'rollup.json')
writeFileSync(rollup, JSON.stringify({ l2_chain_id: 901 }))
const key = `0x${'11'.repeat(32)}`
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bootnode flags', () => {
  it('default: op-node defaults (UDP port = TCP port 9222, bind 0.0.0.0, RPC 9545)', () => {
    expect(parseBootnodeFlags(['--rollup.config', rollup, '--p2p.priv.raw', key])).toEqual({
      chainId: 901, listenIp: '0.0.0.0', udpPort: 9222, privateKey: key, bootnodes: [], discoveryPath: 'opnode_discovery_db',
      rpc: { addr: '127.0.0.1', port: 9545 },
    })
  })

  it('args: op-node flag names', () => {
    const keyFile = join(dir, 'key.txt')
    writeFileSync(keyFile, `${key.slice(2)}\n`)
    const cfg = parseBootnodeFlags([
      '--rollup.config', rollup, '--p2p.priv.path', keyFile, '--p2p.listen.ip', '127.0.0.1', '--p2p.listen.udp', '30301',
      '--p2p.advertise.ip', 'devnet-bootnode-p2p', '--p2p.bootnodes', 'enr:a, enr:b', '--p2p.discovery.path', 'memory', '--rpc.port', '7540',
    ])
    expect(cfg).toMatchObject({ listenIp: '127.0.0.1', udpPort: 30301, advertiseIp: 'devnet-bootnode-p2p', privateKey: key, bootnodes: ['enr:a', 'enr:b'], discoveryPath: 'memory', rpc: { port: 7540 } })
  })

  it('error: missing rollup config, missing or bad key, bad port', () => {
    expect(() => parseBootnodeFlags(['--p2p.priv.raw', key])).toThrow('missing required flag --rollup.config')
    expect(() => parseBootnodeFlags(['--rollup.config', rollup])).toThrow('give --p2p.priv.raw or --p2p.priv.path')
    expect(() => parseBootnodeFlags(['--rollup.config', rollup, '--p2p.priv.raw', '0x12'])).toThrow('expected a 32-byte hex key')
    expect(() => parseBootnodeFlags(['--rollup.config', rollup, '--p2p.priv.raw', key, '--p2p.listen.udp', 'x'])).toThrow('--p2p.listen.udp: expected a port number')
  })
})
