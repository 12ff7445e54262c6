import { expect, test } from 'vitest'
import * as exports from './index.js'

test('exports', () => {
  expect(Object.keys(exports).sort()).toMatchInlineSnapshot(`
    [
      "DevnetError",
      "ServiceError",
      "SpecError",
      "defaultTopology",
      "devKeys",
      "devnetStatus",
      "loadTopology",
      "parseTopology",
      "planDevnet",
      "readDescriptor",
      "resolvePorts",
      "stablePorts",
      "startDevnet",
      "stopFromDescriptor",
    ]
  `)
})
