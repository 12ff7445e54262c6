#!/usr/bin/env bash
# Builds the base image of the lite image without any registry: a `FROM scratch` root filesystem holding
# this host's `node`, the link-fault tools `tc` (iproute2) and `nft` (nftables), `etcd` (Debian's
# etcd-server: the conductors' consensus) with `setpriv` (util-linux), and every shared library
# `ldd` lists for them and for anvil. No shell, no package manager: HEALTHCHECKs must use the exec form.
# See docs/architecture.md (docker runtime, "Images") for why this and not debootstrap.
#
# usage: scripts/docker-base.sh [TAG]          (default TAG: op-devnet-base:local)
# env:   NODE_BIN   node binary to copy        (default: `command -v node`)
#        ANVIL_BIN  anvil binary whose libraries to add (default: the one in node_modules, if any)
set -euo pipefail

# Bump when what goes into the image changes (ensureLiteImage, src/runtime/docker/liteImage.ts, rebuilds an older base).
version=3
tag=${1:-op-devnet-base:local}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_bin=$(readlink -f "${NODE_BIN:-$(command -v node)}")
anvil_bin=${ANVIL_BIN:-$(ls "$repo"/node_modules/@foundry-rs/anvil-linux-*/bin/anvil 2>/dev/null | head -n1 || true)}
tools=()
# Tools this host lacks, named in the image's `op-devnet.base-lacks` label: once the host has one, the
# base is rebuilt (src/runtime/docker/image.ts, localBaseCurrent).
lacks=()
for tool in tc nft; do
  path=$(PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" || true)
  if [[ -n $path ]]; then tools+=("$(readlink -f "$path")"); else lacks+=("$tool"); echo "docker-base: $tool not found, link faults will be unavailable" >&2; fi
done

# The conductor's etcd member, and setpriv, which ties the member's life to its conductor's.
bins=()
for bin in etcd setpriv; do
  path=$(PATH="$PATH:/usr/sbin:/sbin" command -v "$bin" || true)
  if [[ -n $path ]]; then bins+=("$(readlink -f "$path")"); else lacks+=("$bin"); echo "docker-base: $bin not found, conductors will not run in containers (apt-get install etcd-server)" >&2; fi
done

command -v docker >/dev/null || { echo "docker-base: the docker CLI is required" >&2; exit 1; }
[[ -x $node_bin ]] || { echo "docker-base: node not found (set NODE_BIN)" >&2; exit 1; }
# The anvil binary itself comes from node_modules in the lite image; the base only needs its libraries.
[[ -n $anvil_bin && -x $anvil_bin ]] || { echo "docker-base: anvil not found (npm install, or set ANVIL_BIN)" >&2; exit 1; }

started=$(date +%s.%N)
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"/{tmp,etc,usr/local/bin,usr/sbin,devnet}
chmod 1777 "$rootfs/tmp" "$rootfs/devnet"
cp "$node_bin" "$rootfs/usr/local/bin/node"
for tool in "${tools[@]}"; do cp "$tool" "$rootfs/usr/sbin/"; done
mkdir -p "$rootfs/usr/bin"
for bin in "${bins[@]}"; do cp "$bin" "$rootfs/usr/bin/"; done

# Shared libraries, copied at the path ldd resolved them to (dereferenced), plus the loader.
for bin in "$node_bin" "$anvil_bin" "${tools[@]}" "${bins[@]}"; do
  for lib in $(ldd "$bin" | grep -oE '/[^ ]+'); do
    [[ -e $rootfs$lib ]] || cp -L --parents "$lib" "$rootfs/"
  done
done
# tc's delay distribution tables (netem jitter `distribution normal`); harmless when absent.
for dir in /usr/lib/x86_64-linux-gnu/tc /usr/lib/aarch64-linux-gnu/tc /usr/lib/tc /lib/tc; do
  [[ -d $dir ]] && cp -rL --parents "$dir" "$rootfs/"
done

# Minimal identity and name service files (glibc >= 2.34 has files/dns built in; no NSS modules needed).
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

previous=$(docker image inspect "$tag" --format '{{.Id}}' 2>/dev/null || true)
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV HOME=/tmp' \
  --change 'LABEL op-devnet.image=base' \
  --change "LABEL op-devnet.base-version=$version" \
  --change "LABEL op-devnet.base-lacks=\"${lacks[*]}\"" \
  - "$tag" >/dev/null

current=$(docker image inspect "$tag" --format '{{.Id}}')
# The previous build, now untagged; kept if lite images still build on it.
if [[ -n $previous && $previous != "$current" ]]; then docker image rm "$previous" >/dev/null 2>&1 || true; fi

elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
size=$(docker image inspect "$tag" --format '{{.Size}}')
echo "docker-base: built $tag ($((size / 1024 / 1024)) MB, node $("$node_bin" --version), ${elapsed}s)"
