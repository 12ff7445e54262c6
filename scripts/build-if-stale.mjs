#!/usr/bin/env node
/**
 * `npm test`'s build (`pretest`): `npm run build` unless `dist/` is newer than everything it is built from,
 * as make would judge it: `src/` (tests, snapshots and fixtures aside), the bundle script, the tsconfigs,
 * `package.json` and its lock, against the stamp `scripts/bundle.mjs` writes last. `npm ci` builds `dist/`
 * (`prepare`), so `npm test` right after it does not build it again (7.5 s here); an edit since rebuilds.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const STAMP = 'dist/.build-stamp'

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs
function newest(dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!/^__(snapshots|fixtures)__$/.test(entry.name)) latest = Math.max(latest, newest(path))
    } else if (!entry.name.endsWith('.test.ts')) {
      latest = Math.max(latest, mtime(path) ?? 0)
    }
  }
  return latest
}

const built = mtime(STAMP)
const inputs = Math.max(newest('src'), ...['scripts/bundle.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'].map((f) => mtime(f) ?? 0))
if (built !== undefined && built > inputs) {
  console.log('dist/ is newer than its sources: not rebuilt (npm run build rebuilds it)')
} else {
  const { status } = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  process.exit(status ?? 1)
}
