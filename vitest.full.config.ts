import { defineConfig } from 'vitest/config'
import { shared } from './vitest.config.js'

/** `npm run test:full`: the full tier, `test/full/` (see `vitest.config.ts`). */
export default defineConfig({
  test: {
    ...shared,
    include: ['test/full/**/*.test.ts'],
  },
})
