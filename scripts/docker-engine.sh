#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs Debian's docker.io when dockerd is
# missing (root), starts dockerd in the background when it is not running, and waits for it.
# Also installs the link-fault tools (tc, nft) that go into the registry-free base image.
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
PATH="$PATH:/usr/sbin:/sbin" command -v tc >/dev/null 2>&1 || need+=(iproute2)
PATH="$PATH:/usr/sbin:/sbin" command -v nft >/dev/null 2>&1 || need+=(nftables)
if ((${#need[@]})); then
  echo "docker-engine: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "docker-engine: starting dockerd"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
docker info --format 'docker-engine: Docker {{.ServerVersion}} ({{.Driver}}) is up' || { echo "docker-engine: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
