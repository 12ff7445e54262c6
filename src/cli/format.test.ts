import { expect, test } from 'vitest'
import type { DevnetDescriptor } from '../devnet/descriptor.js'
import { formatConductors, formatEndpoints, formatGames, formatHeads, formatHeadsLine, formatKeys } from './format.js'

const descriptor: DevnetDescriptor = {
  name: 'devnet',
  runtime: 'process',
  stateDir: '/tmp/.devnet/devnet',
  services: [
    { name: 'l1', role: 'l1', state: 'running', endpoints: { rpc: 'http://127.0.0.1:8545' }, pid: 10 },
    { name: 'sequencer', role: 'sequencer', state: 'running', endpoints: { el: 'http://127.0.0.1:9545', rollup: 'http://127.0.0.1:7545' }, pid: 11, heads: { unsafe: 12, safe: 8, finalized: 4, l1: 6, currentL1: 5 } },
    { name: 'replica-0', role: 'replica', state: 'running', endpoints: { el: 'http://127.0.0.1:9546', rollup: 'http://127.0.0.1:7546' }, pid: 12 },
    { name: 'replica-1', role: 'replica', state: 'exited', endpoints: { el: 'http://127.0.0.1:9547', rollup: 'http://127.0.0.1:7547' }, pid: 13 },
    { name: 'batcher', role: 'batcher', state: 'running', endpoints: { rpc: 'http://127.0.0.1:8548' }, pid: 14 },
  ],
  keys: {
    admin: { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' },
  } as unknown as DevnetDescriptor['keys'],
  accounts: [{ index: 0, address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' }],
  chains: { l1: { chainId: 900, head: 7 }, l2: { chainId: 901 } },
}

test('default', () => {
  expect(formatHeads(descriptor)).toMatchInlineSnapshot(`
    [
      "node       state      unsafe  safe  finalized  l1 head  l1 derived",
      "sequencer  running    12      8     4          6        5",
      "replica-0  no answer  -       -     -          -        -",
      "replica-1  exited     -       -     -          -        -",
      "L1 head: 7",
    ]
  `)
  expect(formatHeadsLine(descriptor, new Date('2024-01-01T12:34:56Z'))).toMatchInlineSnapshot(`"[12:34:56] l1=7 sequencer=12/8/4 replica-0=? replica-1=exited (unsafe/safe/finalized)"`)
  expect(formatEndpoints(descriptor)).toMatchInlineSnapshot(`
    [
      "Endpoints",
      "  l1         rpc     http://127.0.0.1:8545",
      "  sequencer  el      http://127.0.0.1:9545",
      "             rollup  http://127.0.0.1:7545",
      "  replica-0  el      http://127.0.0.1:9546",
      "             rollup  http://127.0.0.1:7546",
      "  replica-1  el      http://127.0.0.1:9547",
      "             rollup  http://127.0.0.1:7547",
      "  batcher    rpc     http://127.0.0.1:8548",
    ]
  `)
  expect(formatKeys(descriptor)[0]).toContain('DEV ONLY')
})

test('behavior: conductors get their own table (leader, active, healthy, paused, leader id); none without conductors', () => {
  expect(formatConductors(descriptor)).toEqual([])
  const ha: DevnetDescriptor = {
    ...descriptor,
    services: [
      ...descriptor.services,
      { name: 'seq-0-conductor', role: 'conductor', state: 'running', endpoints: { rpc: 'http://127.0.0.1:8560' }, pid: 20, conductor: { leader: true, active: true, healthy: true, paused: false, leaderId: 'seq-0' } },
      { name: 'seq-1-conductor', role: 'conductor', state: 'running', endpoints: { rpc: 'http://127.0.0.1:8561' }, pid: 21 },
      { name: 'seq-2-conductor', role: 'conductor', state: 'exited', endpoints: { rpc: 'http://127.0.0.1:8562' }, pid: 22 },
    ],
  }
  expect(formatConductors(ha)).toEqual([
    '',
    'conductor        state      leader  active  healthy  paused  leader id',
    'seq-0-conductor  running    yes     yes     yes      no      seq-0',
    'seq-1-conductor  no answer  -       -       -        -       -',
    'seq-2-conductor  exited     -       -       -        -       -',
  ])
})

test('args: dispute games by status, and the latest', () => {
  const game = { type: 255, address: '0x0000000000000000000000000000000000000001', root: `0x${'11'.repeat(32)}`, createdAt: 1, resolvedAt: 0, claims: 1, rootCountered: false } as const
  expect(formatGames([])).toBe('Games: none yet')
  expect(formatGames([
    { ...game, index: 0, l2Block: 6, status: 'DEFENDER_WINS' },
    { ...game, index: 1, l2Block: 12, status: 'IN_PROGRESS' },
  ])).toBe('Games: 2 (1 DEFENDER_WINS, 1 IN_PROGRESS); latest #1 type 255 at L2 block 12: IN_PROGRESS')
})
