import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from 'viem'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeRlp, type RlpItem } from '../../protocol/rlp.js'
import { p2pPeerId, p2pPrivateKeyFromSeed } from '../../protocol/p2pIdentity.js'
import { ENR } from '@chainsafe/enr'
import { decodeEnr, DiscoveryService, enrMismatch, enrSeqAt, freeUdpPort, localEnr, peerOf, resolveIPv4, useVerifiedRecordCache } from './discv5.js'

const key = (i: number) => p2pPrivateKeyFromSeed('discv5-test', i)

async function until<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const value = probe()
    if (value !== undefined) return value
  }
  throw new Error('timed out')
}

describe('ENR', () => {
  it('default: v4 record with the p2p key, ip, tcp, udp and the opstack entry on the wire', () => {
    const enr = localEnr({ privateKey: key(0), listenIp: '127.0.0.1', udpPort: 30303, tcpPort: 9222, chainId: 901 })
    const decoded = decodeEnr(enr.encodeTxt())
    expect(decoded.ip).toBe('127.0.0.1')
    expect(decoded.tcp).toBe(9222)
    expect(decoded.udp).toBe(30303)
    expect(peerOf(decoded)).toEqual({ enr: enr.encodeTxt(), peerId: p2pPeerId(key(0)), tcpAddr: '/ip4/127.0.0.1/tcp/9222' })
    // The record's RLP holds "opstack" followed by the byte string 85 07 00 (83 85 07 00 on the wire).
    const items = decodeRlp(decoded.encode()) as RlpItem[]
    const at = items.findIndex((item) => item instanceof Uint8Array && new TextDecoder().decode(item) === 'opstack')
    expect(bytesToHex(items[at + 1] as Uint8Array)).toBe('0x850700')
    expect(enrMismatch(decoded, 901)).toBeUndefined()
  })

  it('behavior: peerOf is remembered per node until the record changes (its sequence number moves)', () => {
    // A local record can change in place; it has every field peerOf reads.
    const local = localEnr({ privateKey: key(0), listenIp: '127.0.0.1', udpPort: 30303, tcpPort: 9222, chainId: 901 })
    const enr = local as unknown as Parameters<typeof peerOf>[0]
    const first = peerOf(enr)
    expect(peerOf(enr)).toBe(first)
    // A NODES answer decodes a fresh object for a record already known: no second decompression.
    expect(peerOf(decodeEnr(local.encodeTxt()))).toBe(first)
    const seq = enr.seq
    local.tcp = 9333
    expect(enr.seq).toBeGreaterThan(seq)
    expect(peerOf(enr)).toEqual({ enr: enr.encodeTxt(), peerId: first.peerId, tcpAddr: '/ip4/127.0.0.1/tcp/9333' })
  })

  it('behavior: the sequence number on the wire is the one PING and PONG advertise, and takes 8 bytes', () => {
    // A record whose encoded number is below the advertised one is asked for again at every ping.
    const start = Date.UTC(2026, 11, 5)
    for (let ms = start; ms < start + 512; ms++) {
      const seq = enrSeqAt(ms)
      expect(BigInt(Number(seq))).toBe(seq)
      expect(seq >= 1n << 56n && seq < 1n << 64n).toBe(true)
    }
    expect(enrSeqAt(start + 1)).toBeGreaterThan(enrSeqAt(start))
    vi.useFakeTimers({ toFake: ['Date'], now: start + 3 })
    try {
      const local = localEnr({ privateKey: key(0), listenIp: '127.0.0.1', udpPort: 30303, chainId: 901 })
      expect(local.seq).toBe(enrSeqAt(start + 3))
      expect(decodeEnr(local.encodeTxt()).seq).toBe(local.seq)
    } finally {
      vi.useRealTimers()
    }
  })

  it('behavior: with the verified-record cache, the same bytes give the same record; a bad signature fails every time', () => {
    useVerifiedRecordCache()
    useVerifiedRecordCache() // idempotent: one wrapper
    const local = localEnr({ privateKey: key(0), listenIp: '127.0.0.1', udpPort: 30303, chainId: 901 })
    const values = () => decodeRlp(local.encode()) as Uint8Array[]
    const first = ENR.decodeFromValues(values())
    expect(ENR.decodeFromValues(values())).toBe(first)
    expect(first.encodeTxt()).toBe(local.encodeTxt())
    local.udp = 30304 // a new record (its sequence number moves): verified and kept on its own
    const second = ENR.decodeFromValues(values())
    expect(second).not.toBe(first)
    expect(second.udp).toBe(30304)
    const forged = values()
    forged[0] = Uint8Array.from(forged[0]!, (b, i) => (i === 5 ? b ^ 1 : b))
    expect(() => ENR.decodeFromValues(forged)).toThrow(/verify/)
    expect(() => ENR.decodeFromValues(forged)).toThrow(/verify/)
  })

  it('error: a record of another chain fails the filter', () => {
    const other = decodeEnr(localEnr({ privateKey: key(1), listenIp: '127.0.0.1', udpPort: 1, chainId: 902 }).encodeTxt())
    expect(enrMismatch(other, 901)).toBe('opstack chain id 902, expected 901')
  })

  it('error: text that is not an ENR, or a record with a broken signature', () => {
    expect(() => decodeEnr('enode://abc')).toThrow(/expected an ENR starting with "enr:"/)
    expect(() => decodeEnr('enr:-garbage')).toThrow(/invalid ENR/)
    const text = localEnr({ privateKey: key(0), listenIp: '127.0.0.1', udpPort: 1, chainId: 901 }).encodeTxt()
    const tampered = `${text.slice(0, 20)}${text[20] === 'A' ? 'B' : 'A'}${text.slice(21)}`
    expect(() => decodeEnr(tampered)).toThrow(/invalid ENR/)
  })

  it('error: an unroutable advertised IP', () => {
    expect(() => localEnr({ privateKey: key(0), listenIp: '0.0.0.0', udpPort: 1, chainId: 901 })).toThrow(/routable IPv4/)
  })
})

describe('resolveIPv4', () => {
  it('behavior: an IP as is, a name resolved', async () => {
    expect(await resolveIPv4('10.1.2.3')).toBe('10.1.2.3')
    expect(await resolveIPv4('localhost')).toBe('127.0.0.1')
  })

  it('error: a name that never resolves, after retrying', async () => {
    await expect(resolveIPv4('no-such-host.invalid', 300)).rejects.toThrow('cannot resolve no-such-host.invalid')
  })
})

describe('DiscoveryService', () => {
  const running: DiscoveryService[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()))
  })
  const start = async (i: number, bootnodes: string[], path = 'memory', udpPort?: number) => {
    const s = await DiscoveryService.start({ privateKey: key(i), listenIp: '127.0.0.1', udpPort: udpPort ?? (await freeUdpPort()), tcpPort: 9000 + i, chainId: 901, bootnodes, path })
    running.push(s)
    return s
  }

  it('behavior: two nodes find each other through a bootnode; the table lists them', async () => {
    const boot = await start(0, [])
    const a = await start(1, [boot.enr()])
    const b = await start(2, [boot.enr()])
    await a.lookup() // a introduces itself to the bootnode
    const peers = await until(() => {
      void b.lookup()
      return b.table().includes(a.enr()) ? b.table() : undefined
    })
    expect(peers).toContain(boot.enr())
    expect(boot.table()).toEqual(expect.arrayContaining([a.enr()]))
  })

  it('behavior: a node restarted on another address replaces its old record in the bootnode table', async () => {
    const boot = await start(0, [])
    const first = await start(1, [boot.enr()])
    await until(() => {
      void first.lookup()
      return boot.table().includes(first.enr()) || undefined
    })
    await first.stop()
    running.splice(running.indexOf(first), 1)
    const again = await start(1, [boot.enr()])
    const record = await until(() => {
      void again.lookup()
      const known = boot.records().find((enr) => enr.nodeId === decodeEnr(again.enr()).nodeId)
      return known?.udp === decodeEnr(again.enr()).udp ? known : undefined
    })
    expect(record.encodeTxt()).toBe(again.enr())
    expect(record.seq).toBeGreaterThan(decodeEnr(first.enr()).seq)
  })

  it('args: path: the table survives a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'discv5-'))
    try {
      const path = join(dir, 'discovery.json')
      const boot = await start(0, [], path)
      const a = await start(1, [boot.enr()])
      await until(() => {
        void a.lookup()
        return boot.table().includes(a.enr()) || undefined
      })
      await boot.stop()
      running.splice(running.indexOf(boot), 1)
      const again = await start(0, [], path)
      expect(again.table()).toContain(a.enr())
    } finally {
      // Stopped first: a node saves its table as it stops, which would make the directory again.
      await Promise.all(running.splice(0).map((s) => s.stop()))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
