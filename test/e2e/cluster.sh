#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1 for the end-to-end tests:
# etcd, kube-apiserver, kube-controller-manager and kube-scheduler built
# from their Go modules, and kwok standing in for kubelets, so Deployments
# roll out and `kubectl rollout status` / `rollout undo` behave as on a real
# cluster. Pods whose image contains "never-ready" never become Ready (they
# sit in ImagePullBackOff), so a failing rollout is real too.
#
#   cluster.sh start STATE_DIR   starts it; writes STATE_DIR/env (KUBECONFIG=…)
#   cluster.sh stop STATE_DIR    stops every process it started, by pid
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: cluster.sh start|stop STATE_DIR}
state=${2:?usage: cluster.sh start|stop STATE_DIR}

log() { printf 'cluster: %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

stop() {
  for f in "$state"/pids/*; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 50); do
    alive=0
    for f in "$state"/pids/*; do
      [ -e "$f" ] || continue
      kill -0 "$(cat "$f")" 2>/dev/null && alive=1
    done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for f in "$state"/pids/*; do
    [ -e "$f" ] || continue
    kill -KILL "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: cluster.sh start|stop STATE_DIR" >&2; exit 2; }

bin=$("$here/build-tools.sh")
mkdir -p "$state"/{pki,etcd,logs,pids,kwok}
pki=$state/pki
etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)

# Certificates, made fresh for every cluster.
log "certificates"
(
  cd "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=osop-e2e-ca 2>/dev/null
  cat > san.cnf <<CNF
[req]
distinguished_name = dn
[dn]
[ext]
subjectAltName = IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
CNF
  openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj /CN=kube-apiserver 2>/dev/null
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 2 -extfile san.cnf -extensions ext 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=admin" 2>/dev/null
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 2 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)

start_bg() { # name, then the command
  local name=$1; shift
  "$@" >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/pids/$name"
}

wait_for() { # what, seconds, command...
  local what=$1 secs=$2; shift 2
  for _ in $(seq $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "$what did not come up in ${secs}s; its log:"; tail -20 "$state/logs/$what.log" >&2 || true
  return 1
}

log "etcd on 127.0.0.1:$etcd_port"
start_bg etcd "$bin/etcd" --data-dir "$state/etcd" --name osop-e2e \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "osop-e2e=http://127.0.0.1:$peer_port" --unsafe-no-fsync=true
wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"

log "kube-apiserver on 127.0.0.1:$api_port"
start_bg kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 --authorization-mode RBAC --allow-privileged=true \
  --endpoint-reconciler-type none
wait_for kube-apiserver 60 curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$api_port/readyz"

kc=$state/admin.kubeconfig
export KUBECONFIG=$kc KUBECACHEDIR=$state/kubecache
kubectl config set-cluster e2e --server "https://127.0.0.1:$api_port" --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
kubectl config set-credentials admin --client-certificate "$pki/admin.crt" --client-key "$pki/admin.key" --embed-certs >/dev/null
kubectl config set-context e2e --cluster e2e --user admin >/dev/null
kubectl config use-context e2e >/dev/null

log "kube-controller-manager, kube-scheduler"
start_bg kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$kc" \
  --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" --bind-address 127.0.0.1 --secure-port 0 \
  --leader-elect=false --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" --controllers '*'
start_bg kube-scheduler "$bin/kube-scheduler" --kubeconfig "$kc" \
  --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false

# kwok has no built-in stages: render the module's fast set, then make
# pods whose image names "never-ready" stay unready, pulling forever.
log "kwok"
stages=$state/kwok/stages.yaml
kwok_src=$(cd "$here/tools/kwok" && GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
cp -r "$kwok_src/kustomize/stage" "$state/kwok/stage" && chmod -R u+w "$state/kwok/stage"
kubectl kustomize "$state/kwok/stage/fast" > "$stages.base"
python3 "$here/kwok_stages.py" "$stages.base" > "$stages"
start_bg kwok "$bin/kwok" --kubeconfig "$kc" --manage-all-nodes=true --config "$stages"
kubectl apply -f - >/dev/null <<'NODE'
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
NODE
wait_for kwok 60 sh -c "kubectl get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True"
wait_for kube-controller-manager 60 kubectl get serviceaccount default -n default

cat > "$state/env" <<ENV
KUBECONFIG=$kc
KUBECACHEDIR=$state/kubecache
OSOP_E2E_KUBECONFIG=$kc
OSOP_E2E_APISERVER=https://127.0.0.1:$api_port
ENV
log "ready: KUBECONFIG=$kc"
