#!/usr/bin/env node
// The bundled command (`npm run build` writes it with esbuild) loads far faster; tsc's output otherwise.
import { existsSync } from 'node:fs'
await import(existsSync(new URL('../dist/bundle/cli.js', import.meta.url)) ? '../dist/bundle/cli.js' : '../dist/cli/index.js')
