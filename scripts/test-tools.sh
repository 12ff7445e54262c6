#!/usr/bin/env bash
# Installs the tools from outside npm that the tests need (root, Debian): Chromium renders the HTML
# timeline, docker-compose reads the compose files. With CI=true a test whose tool is missing fails
# (test/requires.ts), so this list and the tests cannot drift apart unnoticed.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
if ((${#need[@]})); then
  echo "test-tools: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "test-tools: $(chromium --version 2>/dev/null | head -1); $(docker-compose version --short 2>/dev/null)"
