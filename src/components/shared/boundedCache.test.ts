import { expect, test } from 'vitest'
import { BoundedCache } from './boundedCache.js'

test('behavior: a value is loaded once, then kept; the oldest entry goes beyond the capacity', async () => {
  const cache = new BoundedCache<string, number>(2)
  const loads: string[] = []
  const load = (key: string, value: number) => () => (loads.push(key), Promise.resolve(value))
  expect(await cache.get('a', load('a', 1))).toBe(1)
  expect(await cache.get('a', load('a', 9))).toBe(1)
  await cache.get('b', load('b', 2))
  await cache.get('c', load('c', 3))
  expect(cache.size).toBe(2)
  expect(await cache.get('a', load('a', 4))).toBe(4) // forgotten: loaded again
  expect(loads).toEqual(['a', 'b', 'c', 'a'])
})

test('behavior: null and undefined are not kept (not known yet)', async () => {
  const cache = new BoundedCache<string, number | null>(4)
  let calls = 0
  const load = () => Promise.resolve(calls++ === 0 ? null : 7)
  expect(await cache.get('x', load)).toBe(null)
  expect(await cache.get('x', load)).toBe(7)
  expect(await cache.get('x', load)).toBe(7)
  expect(calls).toBe(2)
})

test('behavior: callers asking while a load is in flight share it', async () => {
  const cache = new BoundedCache<string, number>(4)
  let loads = 0
  const load = () => new Promise<number>((resolve) => setTimeout(() => resolve(++loads), 20))
  expect(await Promise.all([cache.get('x', load), cache.get('x', load)])).toEqual([1, 1])
  expect(loads).toBe(1)
})

test('error: a failed load is not kept', async () => {
  const cache = new BoundedCache<string, number>(4)
  await expect(cache.get('x', () => Promise.reject(new Error('engine down')))).rejects.toThrow('engine down')
  expect(await cache.get('x', () => Promise.resolve(5))).toBe(5)
})
