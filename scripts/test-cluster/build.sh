#!/usr/bin/env bash
# Builds the test cluster's binaries from the Go module proxy and caches them outside the
# repository, keyed by version: kube-apiserver and etcd, cert-manager's CRDs (the e2e suite
# installs them to dry-run the manifests' Issuers and Certificates), taken from the deploy/crds/
# folder that cert-manager's Go module ships, and on request cert-manager's controller and CA
# injector, built from the small wrapper module in scripts/cert-manager/ (the release's own
# cmd/ modules cannot be built from the proxy), and on request what a one-node cluster
# (cluster:up --node) runs besides them. A second run only checks the cache.
#
#   scripts/test-cluster/build.sh [GROUP...]          build (or reuse) them, print the paths
#   scripts/test-cluster/build.sh --check [GROUP...]  build nothing: print the paths if all are
#                                                     cached, else say what is missing and exit 2
#
# Groups: e2e (the default: kube-apiserver, etcd, cert-manager's CRDs), cert-manager (its CRDs,
# controller and cainjector), node (e2e's, plus kubelet, kube-controller-manager, kube-scheduler
# and kube-proxy — one `go build` with kube-apiserver, cached by version like it —, the pause and
# smoke image binaries, and the Debian packages of node-packages.sh, installed with apt-get when
# missing), all (every group).
#
# Versions: KUBE_VERSION (default below) must have a kubectl of the same minor on this machine
# (kubectl.1.33 is the newest here), ETCD_VERSION a go.etcd.io/etcd/server/v3 release,
# CERT_MANAGER_VERSION a github.com/cert-manager/cert-manager release (v1.19 supports 1.31–1.35);
# its default is the version scripts/cert-manager/go.mod requires, so the CRDs and the binaries
# are of one release.
set -euo pipefail
# Go lives in /usr/local/go on these machines; a non-login shell may not have it on PATH.
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"

KUBE_VERSION="${KUBE_VERSION:-v1.33.13}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
CERT_MANAGER_MODULE="$(cd "$(dirname "$0")/../cert-manager" && pwd)"
CERT_MANAGER_PINNED=$(sed -n 's|^[[:space:]]*\(require[[:space:]]\{1,\}\)\{0,1\}github\.com/cert-manager/cert-manager[[:space:]]\{1,\}\(v[^[:space:]]*\).*|\2|p' "$CERT_MANAGER_MODULE/go.mod" | head -1)
CERT_MANAGER_VERSION="${CERT_MANAGER_VERSION:-$CERT_MANAGER_PINNED}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/shoot-maintenance"
BIN="$CACHE/bin"
CRDS="$CACHE/cert-manager-crds-$CERT_MANAGER_VERSION"
# All of the release's CRDs: the controller's ACME controllers watch Orders and Challenges.
CRD_FILES="cert-manager.io_certificates.yaml cert-manager.io_certificaterequests.yaml cert-manager.io_issuers.yaml cert-manager.io_clusterissuers.yaml acme.cert-manager.io_orders.yaml acme.cert-manager.io_challenges.yaml"
# The binaries depend on the wrapper's own code too: the cache key holds a hash of its files.
CERT_MANAGER_SRC_HASH=$(cd "$CERT_MANAGER_MODULE" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
CERT_MANAGER_KEY="$CERT_MANAGER_VERSION-$CERT_MANAGER_SRC_HASH"
CERT_MANAGER_CONTROLLER="$BIN/cert-manager-controller-$CERT_MANAGER_KEY"
CERT_MANAGER_CAINJECTOR="$BIN/cert-manager-cainjector-$CERT_MANAGER_KEY"
mkdir -p "$BIN"

log() { printf '[test-cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Prints a dot every 30 s while a long command runs, so CI logs show progress.
with_progress() {
  local what="$1"; shift
  local start=$SECONDS
  ( while sleep 30; do log "$what: still building ($((SECONDS - start)) s)"; done ) &
  local ticker=$!
  local rc=0
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then log "$what: FAILED after $((SECONDS - start)) s"; return "$rc"; fi
  log "$what: built in $((SECONDS - start)) s"
}

# The Kubernetes binaries all come from one wrapper module (require k8s.io/kubernetes + every
# staging module replaced by its published release), so one `go build` of several main packages
# shares the compile. Each binary is cached as $BIN/<name>-$KUBE_VERSION; only missing ones are built.
build_kube_binaries() {
  local names=() name
  for name in "$@"; do
    if [ -x "$BIN/$name-$KUBE_VERSION" ]; then log "$name $KUBE_VERSION: cached at $BIN/$name-$KUBE_VERSION"; else names+=("$name"); fi
  done
  [ "${#names[@]}" -gt 0 ] || return 0
  local minor_patch="${KUBE_VERSION#v1.}"            # 33.13
  local staging_version="v0.$minor_patch"            # v0.33.13
  local what="${names[*]}"
  local work; work=$(mktemp -d)
  log "$what $KUBE_VERSION: resolving k8s.io/kubernetes module (staging modules at $staging_version)"
  (
    cd "$work"
    go mod init shoot-maintenance.local/kube-build >/dev/null 2>&1
    local gomod
    gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
    [ -n "$gomod" ] || { log "could not download k8s.io/kubernetes@$KUBE_VERSION"; exit 1; }
    # Each staging replace (k8s.io/x => ./staging/src/k8s.io/x) becomes a replace by the
    # published module of the same release, since a dependency's replaces are ignored.
    {
      echo "require k8s.io/kubernetes $KUBE_VERSION"
      grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/' "$gomod" \
        | awk -v v="$staging_version" '{ print "replace " $1 " => " $1 " " v }'
    } >> go.mod
    # -mod=mod resolves only what these packages' import graph needs (a tidy would also
    # chase the test imports of every k8s.io/kubernetes package, some of which do not resolve).
    log "$what $KUBE_VERSION: downloading modules"
    go mod download -x k8s.io/kubernetes 2>/dev/null || true
    local pkgs=()
    for name in "${names[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$name"); done
    mkdir out
    # CGO_ENABLED=0 for all: upstream builds kubelet with cgo only by the host's default; nothing
    # it needs on Linux uses cgo (no `import "C"` in pkg/kubelet, pkg/proxy or cmd/).
    export CGO_ENABLED=0
    with_progress "$what $KUBE_VERSION" \
      go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor_patch%%.*}" \
      -mod=mod -o out/ "${pkgs[@]}"
    for name in "${names[@]}"; do mv "out/$name" "$BIN/$name-$KUBE_VERSION"; done
  )
  rm -rf "$work"
}

# The node's two image binaries, from this repository's sources, cached by a hash of the source:
# pause (C, static glibc) is containerd's sandbox image; smoke (Go, static) serves and fetches
# HTTP for the node smoke check. tools/test-cluster/node.ts packs each into an OCI image.
IMAGES_SRC="$(cd "$(dirname "$0")/../.." && pwd)/tools/test-cluster/images"
source_hash() { cat "$@" | sha256sum | cut -c1-12; }
PAUSE_BIN="$BIN/pause-$(source_hash "$IMAGES_SRC/pause/pause.c")"
SMOKE_BIN="$BIN/smoke-$(source_hash "$IMAGES_SRC/smoke/main.go" "$IMAGES_SRC/smoke/go.mod")"
NODE_BINARIES="kubelet kube-controller-manager kube-scheduler kube-proxy"

build_image_binaries() {
  if [ -x "$PAUSE_BIN" ]; then log "pause: cached at $PAUSE_BIN"; else
    command -v gcc >/dev/null 2>&1 || { log "gcc not found; install with: apt-get install -y gcc libc6-dev"; return 2; }
    gcc -Os -Wall -Werror -static -o "$PAUSE_BIN.tmp" "$IMAGES_SRC/pause/pause.c" && mv "$PAUSE_BIN.tmp" "$PAUSE_BIN"
    log "pause: built $PAUSE_BIN"
  fi
  if [ -x "$SMOKE_BIN" ]; then log "smoke: cached at $SMOKE_BIN"; else
    (cd "$IMAGES_SRC/smoke" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$SMOKE_BIN.tmp" .) && mv "$SMOKE_BIN.tmp" "$SMOKE_BIN"
    log "smoke: built $SMOKE_BIN"
  fi
}

build_etcd() {
  local out="$BIN/etcd-$ETCD_VERSION"
  if [ -x "$out" ]; then log "etcd $ETCD_VERSION: cached at $out"; return; fi
  local work; work=$(mktemp -d)
  log "etcd $ETCD_VERSION: resolving go.etcd.io/etcd/server/v3"
  (
    cd "$work"
    go mod init shoot-maintenance.local/etcd-build >/dev/null 2>&1
    cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
    go mod tidy
    with_progress "etcd $ETCD_VERSION" go build -trimpath -ldflags "-s -w" -o "$out.tmp" go.etcd.io/etcd/server/v3
    mv "$out.tmp" "$out"
  )
  rm -rf "$work"
}

fetch_cert_manager_crds() {
  if [ -f "$CRDS/complete" ]; then log "cert-manager $CERT_MANAGER_VERSION CRDs: cached at $CRDS"; return; fi
  log "cert-manager $CERT_MANAGER_VERSION CRDs: downloading github.com/cert-manager/cert-manager"
  local dir
  dir=$(go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir/deploy/crds" ] || { log "could not download github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION"; return 1; }
  rm -rf "$CRDS.tmp"; mkdir -p "$CRDS.tmp"
  for f in $CRD_FILES; do cp "$dir/deploy/crds/$f" "$CRDS.tmp/$f"; done
  touch "$CRDS.tmp/complete"
  rm -rf "$CRDS"; mv "$CRDS.tmp" "$CRDS"
  log "cert-manager $CERT_MANAGER_VERSION CRDs: copied to $CRDS"
}

build_cert_manager() {
  if [ -x "$CERT_MANAGER_CONTROLLER" ] && [ -x "$CERT_MANAGER_CAINJECTOR" ]; then
    log "cert-manager $CERT_MANAGER_VERSION controller, cainjector: cached at $CERT_MANAGER_CONTROLLER, $CERT_MANAGER_CAINJECTOR"
    return
  fi
  local work; work=$(mktemp -d)
  log "cert-manager $CERT_MANAGER_VERSION controller, cainjector: resolving github.com/cert-manager/cert-manager (wrapper $CERT_MANAGER_MODULE)"
  (
    # A copy, so that a CERT_MANAGER_VERSION other than the pinned one changes no file of the repo.
    cp -R "$CERT_MANAGER_MODULE/." "$work/"
    cd "$work"
    if [ "$CERT_MANAGER_VERSION" != "$CERT_MANAGER_PINNED" ]; then
      log "cert-manager: $CERT_MANAGER_VERSION instead of the pinned $CERT_MANAGER_PINNED (go get + tidy in $work)"
      go get "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" >/dev/null
      go mod tidy
    fi
    local commit
    commit=$(go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" | sed -n 's/^[[:space:]]*"Hash": "\(.*\)",\{0,1\}$/\1/p' | head -1)
    log "cert-manager $CERT_MANAGER_VERSION: downloading modules"
    go mod download
    # One go build for both mains: they share almost all packages.
    mkdir -p out
    with_progress "cert-manager $CERT_MANAGER_VERSION controller, cainjector" \
      go build -trimpath -ldflags "-s -w -X github.com/cert-manager/cert-manager/pkg/util.AppVersion=$CERT_MANAGER_VERSION -X github.com/cert-manager/cert-manager/pkg/util.AppGitCommit=$commit" \
      -o out/ ./controller ./cainjector
    mv out/controller "$CERT_MANAGER_CONTROLLER"
    mv out/cainjector "$CERT_MANAGER_CAINJECTOR"
  )
  rm -rf "$work"
}

CHECK=0
if [ "${1:-}" = "--check" ]; then CHECK=1; shift; fi
WANT_E2E=0
WANT_CERT_MANAGER=0
WANT_NODE=0
[ "$#" -gt 0 ] || set -- e2e
for group in "$@"; do
  case "$group" in
    e2e) WANT_E2E=1 ;;
    cert-manager) WANT_CERT_MANAGER=1 ;;
    node) WANT_E2E=1; WANT_NODE=1 ;;
    all) WANT_E2E=1; WANT_CERT_MANAGER=1; WANT_NODE=1 ;;
    *) log "unknown group: $group (e2e, cert-manager, node, all)"; exit 64 ;;
  esac
done
# How to build what a --check found missing, for the groups asked for.
build_command="npm run cluster:build"
[ "$WANT_CERT_MANAGER" -eq 0 ] && [ "$WANT_NODE" -eq 0 ] || build_command="npm run cluster:build -- $*"

print_paths() {
  if [ "$WANT_E2E" -eq 1 ]; then
    echo "KUBE_APISERVER=$BIN/kube-apiserver-$KUBE_VERSION"
    echo "ETCD=$BIN/etcd-$ETCD_VERSION"
  fi
  echo "CERT_MANAGER_CRDS=$CRDS"
  if [ "$WANT_CERT_MANAGER" -eq 1 ]; then
    echo "CERT_MANAGER_VERSION=$CERT_MANAGER_VERSION"
    echo "CERT_MANAGER_CONTROLLER=$CERT_MANAGER_CONTROLLER"
    echo "CERT_MANAGER_CAINJECTOR=$CERT_MANAGER_CAINJECTOR"
  fi
  if [ "$WANT_NODE" -eq 1 ]; then
    echo "KUBELET=$BIN/kubelet-$KUBE_VERSION"
    echo "KUBE_CONTROLLER_MANAGER=$BIN/kube-controller-manager-$KUBE_VERSION"
    echo "KUBE_SCHEDULER=$BIN/kube-scheduler-$KUBE_VERSION"
    echo "KUBE_PROXY=$BIN/kube-proxy-$KUBE_VERSION"
    echo "PAUSE_BIN=$PAUSE_BIN"
    echo "SMOKE_BIN=$SMOKE_BIN"
  fi
}

if [ "$CHECK" -eq 1 ]; then
  missing=0
  wanted=()
  [ "$WANT_E2E" -eq 0 ] || wanted+=("$BIN/kube-apiserver-$KUBE_VERSION" "$BIN/etcd-$ETCD_VERSION")
  [ "$WANT_CERT_MANAGER" -eq 0 ] || wanted+=("$CERT_MANAGER_CONTROLLER" "$CERT_MANAGER_CAINJECTOR")
  if [ "$WANT_NODE" -eq 1 ]; then
    for name in $NODE_BINARIES; do wanted+=("$BIN/$name-$KUBE_VERSION"); done
    wanted+=("$PAUSE_BIN" "$SMOKE_BIN")
  fi
  for f in "${wanted[@]}"; do
    if [ ! -x "$f" ]; then log "missing: $f"; missing=1; fi
  done
  if [ ! -f "$CRDS/complete" ]; then log "missing: $CRDS"; missing=1; fi
  if [ "$WANT_NODE" -eq 1 ]; then
    bash "$(dirname "$0")/node-packages.sh" --check >/dev/null || missing=1
  fi
  if [ "$missing" -ne 0 ]; then
    log "build them with: $build_command   (several minutes on 2 cores, needs Go and network)"
    exit 2
  fi
  print_paths
  exit 0
fi

fetch_cert_manager_crds
if [ "$WANT_E2E" -eq 1 ]; then
  build_etcd
  if [ "$WANT_NODE" -eq 1 ]; then
    bash "$(dirname "$0")/node-packages.sh" >/dev/null
    # kube-apiserver too, so that a cold cache compiles the shared packages once for all five.
    # shellcheck disable=SC2086
    build_kube_binaries kube-apiserver $NODE_BINARIES
    build_image_binaries
    for name in $NODE_BINARIES; do log "$name version: $("$BIN/$name-$KUBE_VERSION" --version 2>&1 | head -1)"; done
  else
    build_kube_binaries kube-apiserver
  fi
  log "kube-apiserver version: $("$BIN/kube-apiserver-$KUBE_VERSION" --version)"
  log "etcd version: $("$BIN/etcd-$ETCD_VERSION" --version | head -1)"
fi
if [ "$WANT_CERT_MANAGER" -eq 1 ]; then
  build_cert_manager
  log "cert-manager controller version: $("$CERT_MANAGER_CONTROLLER" --version), cainjector version: $("$CERT_MANAGER_CAINJECTOR" --version)"
fi
print_paths
