#!/usr/bin/env bash
# Builds the lite image (docker/Dockerfile) for the current tree if it does not exist yet, and prints its
# tag (op-devnet-lite:<content hash>). Run `npm run build` first: the image holds dist/.
#
# usage: scripts/docker-lite.sh
# env:   DEVNET_BASE_IMAGE  base image (default on Linux: op-devnet-base:local, built from this host if missing;
#                           elsewhere node:20-bookworm-slim, pulled by the build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

script='
const { ensureLiteImage } = await import(process.argv[1])
const { tag, built, durationMs } = await ensureLiteImage({
  repoRoot: process.cwd(),
  onProgress: (line) => process.stderr.write(`  ${line}\n`),
})
process.stderr.write(`${tag} ${built ? `built in ${(durationMs / 1000).toFixed(1)} s` : "is up to date"}\n`)
console.log(tag)
'
if [[ -f dist/runtime/docker/liteImage.js ]]; then
  node --input-type=module -e "$script" "$PWD/dist/runtime/docker/liteImage.js"
else
  npx --no-install tsx -e "$script" "$PWD/src/runtime/docker/liteImage.ts"
fi
