import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import type { SafeRecord } from './derivation.js'
import { SAFE_DB_FILE, SAFE_DB_LIMIT, SafeDb } from './safeDb.js'

const hash = (n: number, tag: string) => `0x${tag}${n.toString(16).padStart(63, '0')}` as const
const record = (n: number): SafeRecord => ({
  l2: { number: n, hash: hash(n, 'a'), parentHash: hash(n - 1, 'a'), timestamp: 1000 + 2 * n, l1origin: { number: n, hash: hash(n, 'b') }, sequenceNumber: 0 },
  derivedFrom: { number: n + 1, hash: hash(n + 1, 'b'), parentHash: hash(n, 'b'), timestamp: 1000 + 2 * n },
})

describe('SafeDb', () => {
  const dirs: string[] = []
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'safedb-'))
    dirs.push(d)
    return d
  }
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

  test('behavior: finalized records survive a restart, those at or above the resumed finalized head do not load', () => {
    const d = dir()
    const db = new SafeDb(d)
    db.add([record(1), record(2)])
    db.add([record(3), record(4)])
    const again = new SafeDb(d)
    again.load(4)
    expect(again.records).toEqual([record(1), record(2), record(3)])
    // The file now holds exactly what was loaded.
    expect(readFileSync(join(d, SAFE_DB_FILE), 'utf8').trim().split('\n')).toHaveLength(3)
  })

  test('behavior: a line torn by a crash mid-append is skipped', () => {
    const d = dir()
    new SafeDb(d).add([record(1), record(2)])
    appendFileSync(join(d, SAFE_DB_FILE), '{"l2":{"number":3,"ha')
    const again = new SafeDb(d)
    again.load(100)
    expect(again.records.map((r) => r.l2.number)).toEqual([1, 2])
  })

  test('behavior: a cold start (load at genesis) or clear forgets everything', () => {
    const d = dir()
    new SafeDb(d).add([record(1), record(2)])
    const cold = new SafeDb(d)
    cold.load(0)
    expect(cold.records).toEqual([])
    expect(readFileSync(join(d, SAFE_DB_FILE), 'utf8')).toBe('')
    cold.add([record(5)])
    cold.clear()
    const after = new SafeDb(d)
    after.load(100)
    expect(after.records).toEqual([])
  })

  test('behavior: only the newest SAFE_DB_LIMIT records are kept, and the file is compacted', () => {
    const d = dir()
    const db = new SafeDb(d)
    const n = 2 * SAFE_DB_LIMIT + 10
    for (let i = 1; i <= n; i += 1000) db.add(Array.from({ length: Math.min(1000, n - i + 1) }, (_, k) => record(i + k)))
    expect(db.records).toHaveLength(SAFE_DB_LIMIT)
    expect(db.records[0]!.l2.number).toBe(n - SAFE_DB_LIMIT + 1)
    const lines = readFileSync(join(d, SAFE_DB_FILE), 'utf8').trim().split('\n').length
    expect(lines).toBeLessThanOrEqual(2 * SAFE_DB_LIMIT)
  })

  test('behavior: without a data dir the records live in memory only', () => {
    const db = new SafeDb(undefined)
    db.add([record(1)])
    db.load(100)
    expect(db.records).toEqual([record(1)])
  })
})
