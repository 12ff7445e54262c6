import { describe, expect, test } from 'vitest'
import { onTheWall } from './linkFault.js'

describe('link faults and the devnet clock', () => {
  test('default: at speed 1 the fault is set as given', () => {
    const fault = { delayMs: 500, jitterMs: 100, lossPercent: 5, bandwidthKbps: 256 }
    expect(onTheWall(fault, 1)).toBe(fault)
  })

  test('behavior: at speed 4 delays are 4x shorter and bandwidth 4x higher on the wall; loss is unchanged', () => {
    expect(onTheWall({ delayMs: 500, jitterMs: 100, lossPercent: 5, bandwidthKbps: 256 }, 4)).toEqual({ delayMs: 125, jitterMs: 25, lossPercent: 5, bandwidthKbps: 1024 })
    expect(onTheWall({ delayMs: 2 }, 4)).toEqual({ delayMs: 1 })
    expect(onTheWall({ lossPercent: 30 }, 4)).toEqual({ lossPercent: 30 })
  })
})
