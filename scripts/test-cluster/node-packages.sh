#!/usr/bin/env bash
# The Debian packages a one-node test cluster needs on the host: containerd (+ ctr and the runc
# v2 shim), runc, the CNI plugins (bridge, host-local, loopback in /usr/lib/cni), iptables (for
# kube-proxy and kubelet) and nftables (`nft`, so that `cluster:down` can delete the nf_tables
# tables that iptables-nft created, which iptables itself cannot).
#
#   scripts/test-cluster/node-packages.sh          install what is missing (apt-get, non-interactive)
#   scripts/test-cluster/node-packages.sh --check  install nothing: exit 2 with the command that fixes it
#
# Prints NAME=path lines for the tools it checked.
set -euo pipefail

log() { printf '[test-cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# "file package" pairs: each file must exist, else the package is installed.
REQUIRED=(
  "/usr/bin/containerd containerd"
  "/usr/bin/containerd-shim-runc-v2 containerd"
  "/usr/bin/ctr containerd"
  "/usr/sbin/runc runc"
  "/usr/lib/cni/bridge containernetworking-plugins"
  "/usr/lib/cni/host-local containernetworking-plugins"
  "/usr/lib/cni/loopback containernetworking-plugins"
  "/usr/sbin/iptables iptables"
  "/usr/sbin/iptables-save iptables"
  "/usr/sbin/iptables-restore iptables"
  "/usr/sbin/ip6tables-save iptables"
  "/usr/sbin/ip6tables-restore iptables"
  "/usr/sbin/nft nftables"
  "/usr/sbin/ip iproute2"
)

missing_packages() {
  local pair file pkg seen=" "
  for pair in "${REQUIRED[@]}"; do
    file="${pair% *}"; pkg="${pair#* }"
    # runc may live in /usr/bin on other layouts
    if [ -x "$file" ] || { [ "$pkg" = runc ] && command -v runc >/dev/null 2>&1; }; then continue; fi
    case "$seen" in *" $pkg "*) ;; *) seen="$seen$pkg "; printf '%s\n' "$pkg" ;; esac
  done
}

fix_command() { echo "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $*"; }

mapfile -t missing < <(missing_packages)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "${1:-}" = "--check" ]; then
    log "missing Debian packages: ${missing[*]}"
    log "install them with: $(fix_command "${missing[@]}")"
    exit 2
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing Debian packages: ${missing[*]} (cannot install: needs root and apt-get)"
    log "install them with: sudo sh -c '$(fix_command "${missing[@]}")'"
    exit 2
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # An image whose package lists were never fetched knows no candidate: update once, then install.
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/node-packages-apt.log 2>&1; then
    log "apt-get install failed without fresh package lists; running apt-get update"
    if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >>/tmp/node-packages-apt.log 2>&1; then
      tail -20 /tmp/node-packages-apt.log >&2
      log "could not install ${missing[*]}; fix with: $(fix_command "${missing[@]}")"
      exit 2
    fi
  fi
  mapfile -t still < <(missing_packages)
  if [ "${#still[@]}" -gt 0 ]; then
    log "still missing after apt-get: ${still[*]}; fix with: $(fix_command "${still[@]}")"
    exit 2
  fi
  log "installed: ${missing[*]} (log: /tmp/node-packages-apt.log)"
fi

echo "CONTAINERD=/usr/bin/containerd"
echo "CTR=/usr/bin/ctr"
echo "CNI_BIN_DIR=/usr/lib/cni"
