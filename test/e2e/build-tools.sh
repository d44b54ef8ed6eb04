#!/usr/bin/env bash
# Builds the e2e cluster's binaries (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok) and helm, which the Helm
# executor's tests run against that cluster, from their Go modules into a
# cache directory keyed by version, outside the work tree. A binary that is
# already there is not rebuilt. Cold: ~20-25 min on 2 cores for the cluster,
# ~4 min more for helm; warm: seconds.
#
#   build-tools.sh          builds what is missing; prints the cluster's bin directory
#   build-tools.sh helm     the same; prints the directory that holds helm
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${OSOP_E2E_CACHE:-$HOME/.cache/osop-e2e}
k8s_version=v1.37.2
etcd_version=v3.6.16
kwok_version=v0.8.0
helm_version=v3.22.0
bin="$cache/bin-k8s-$k8s_version-etcd-$etcd_version-kwok-$kwok_version"
# helm has its own directory, so that a new helm does not rebuild the cluster.
helm_bin="$cache/bin-helm-$helm_version"
mkdir -p "$bin" "$helm_bin"

export CGO_ENABLED=0 GOFLAGS=-mod=mod
log() { printf 'build-tools: %s\n' "$*" >&2; }
missing() { for b in "$@"; do [ -x "$bin/$b" ] || return 0; done; return 1; }

if missing etcd; then
  log "building etcd $etcd_version"
  (cd "$here/tools/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3 && mv "$bin/etcd.tmp" "$bin/etcd")
fi
if missing kwok; then
  log "building kwok $kwok_version"
  (cd "$here/tools/kwok" && go build -trimpath -ldflags "-s -w" -o "$bin/kwok.tmp" sigs.k8s.io/kwok/cmd/kwok && mv "$bin/kwok.tmp" "$bin/kwok")
fi
if missing kube-apiserver kube-controller-manager kube-scheduler; then
  log "building kube-apiserver, kube-controller-manager, kube-scheduler $k8s_version (cold: ~20 min on 2 cores)"
  minor=${k8s_version#v1.}; minor=${minor%%.*}
  v=k8s.io/component-base/version
  ldflags="-s -w -X $v.gitVersion=$k8s_version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  tmp="$bin/.tmp"; mkdir -p "$tmp"
  (cd "$here/tools/k8s" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler)
  mv "$tmp"/* "$bin/" && rmdir "$tmp"
fi
if [ ! -x "$helm_bin/helm" ]; then
  log "building helm $helm_version"
  start=$(date +%s)
  (cd "$here/tools/helm" && go build -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version" \
    -o "$helm_bin/helm.tmp" helm.sh/helm/v3/cmd/helm && mv "$helm_bin/helm.tmp" "$helm_bin/helm")
  log "helm built in $(( $(date +%s) - start ))s"
fi
if [ "${1:-}" = helm ]; then echo "$helm_bin"; else echo "$bin"; fi
