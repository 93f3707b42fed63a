#!/usr/bin/env bash
# The demo: bring the local cluster up, load the images, install the CRD and the operator with its
# Helm chart, create a RedisFailover with a password, wait until it is Ready and show it; then,
# with a checking writer running through the sentinels, delete the master pod and print the
# timeline (deleted, failed over, labels moved, the writer's gap, acknowledged writes lost),
# `kubectl get rf` and the Events; then the same for a SIGKILL of the master's redis-server.
# Idempotent: run it again after a code change to reload the image and restart the operator.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${REPO}/hack/lib/cluster.sh"
source "${REPO}/hack/lib/images.sh"
source "${REPO}/hack/lib/operator.sh"

DEMO_NAMESPACE="${DEMO_NAMESPACE:-demo}"

step "toolchain" "${REPO}/hack/toolchain.sh"
step "cluster-up" "${REPO}/hack/cluster-up.sh"
step "make build" make -C "${REPO}" build
step "images" "${REPO}/hack/images.sh"
kubectl_local get nodes -o wide
log "images on the node:"
ctr_local images ls -q | grep -v '^sha256:'

step "install the CRD and the operator (Helm chart)" install_operator
kubectl_local --namespace "${OPERATOR_NAMESPACE}" get deployment,pods -o wide

# The sample of config/samples, with the data on an emptyDir: the local cluster has no volume
# provisioner. The password is random and lives only in the Secret.
apply_sample() {
  kubectl_local create namespace "${DEMO_NAMESPACE}" --dry-run=client -o yaml | kubectl_local apply -f - || return
  if ! kubectl_local --namespace "${DEMO_NAMESPACE}" get secret cache-auth >/dev/null 2>&1; then
    kubectl_local --namespace "${DEMO_NAMESPACE}" create secret generic cache-auth \
      --from-literal=password="$(openssl rand -hex 16)" || return
  fi
  kubectl_local --namespace "${DEMO_NAMESPACE}" apply -f - <<'YAML'
apiVersion: redis.failover.dev/v1alpha1
kind: RedisFailover
metadata:
  name: cache
spec:
  auth:
    secretPath: cache-auth
  redis:
    replicas: 3
    customConfig:
      - maxmemory 100mb
      - maxmemory-policy allkeys-lru
    minReplicasToWrite: 1
  sentinel:
    replicas: 3
    downAfterMilliseconds: 3000
    failoverTimeout: 10000
YAML
}
step "kubectl apply the sample RedisFailover 'cache' (with auth) in namespace ${DEMO_NAMESPACE}" apply_sample

ready_start=${SECONDS}
step "kubectl wait --for=condition=Ready redisfailover/cache" \
  kubectl_local --namespace "${DEMO_NAMESPACE}" wait --for=condition=Ready redisfailover/cache --timeout=5m
log "Ready $(( SECONDS - ready_start ))s after the apply returned"

kubectl_local --namespace "${DEMO_NAMESPACE}" get redisfailovers
kubectl_local --namespace "${DEMO_NAMESPACE}" get pods,services -o wide
log "status:"
kubectl_local --namespace "${DEMO_NAMESPACE}" get redisfailover cache -o jsonpath='{.status}' | jq .

# The name in force: "<namespace>.cache" for a new RedisFailover, "cache" for one a demo
# created before that default.
master_name=$(kubectl_local --namespace "${DEMO_NAMESPACE}" get rf cache -o jsonpath='{.status.masterName}')
[[ -n "${master_name}" ]] || die "RedisFailover ${DEMO_NAMESPACE}/cache is Ready but its status names no masterName"

# The same check the e2e suite runs: a go-redis FailoverClient inside the cluster writes through
# the sentinels and reads the key back on every replica.
# Every command here and in scenario ends the function on failure by itself (|| return): step runs
# it as part of an || list, where bash ignores set -e inside functions.
smoke_test() {
  kubectl_local --namespace "${DEMO_NAMESPACE}" delete pod smoke-test --ignore-not-found --wait=true >/dev/null || return
  kubectl_local --namespace "${DEMO_NAMESPACE}" apply -f - <<YAML || return
apiVersion: v1
kind: Pod
metadata:
  name: smoke-test
spec:
  restartPolicy: Never
  containers:
  - name: client
    image: ${OPERATOR_IMAGE}
    imagePullPolicy: IfNotPresent
    args: [smoke-test, --sentinel, rfs-cache:26379, --master-name, ${master_name}]
    env:
    - name: REDIS_PASSWORD
      valueFrom: {secretKeyRef: {name: cache-auth, key: password}}
YAML
  if ! kubectl_local --namespace "${DEMO_NAMESPACE}" wait --for=jsonpath='{.status.phase}'=Succeeded pod/smoke-test --timeout=2m; then
    kubectl_local --namespace "${DEMO_NAMESPACE}" logs smoke-test >&2
    return 1
  fi
  kubectl_local --namespace "${DEMO_NAMESPACE}" logs smoke-test
}
step "write through the sentinels, read back on every replica" smoke_test

# The main job, live: a checking writer on this host writes through the sentinels while the
# master goes away, then the timeline (deletion, the sentinels' failover, the role labels, the
# writer's gap) and the verdict: every acknowledged write looked up on the final master.
step "build the timeline tool" go -C "${REPO}" build -o "${REPO}/.local/demo-timeline" ./test/bench/e2e
show_rf() {
  kubectl_local --namespace "${DEMO_NAMESPACE}" get rf cache
  log "Events of the last scenario:"
  kubectl_local --namespace "${DEMO_NAMESPACE}" get events --sort-by=.lastTimestamp \
    --field-selector "involvedObject.kind=RedisFailover" | tail -n 12
}
scenario() {
  local rc=0
  KUBECONFIG="${KUBECONFIG_LOCAL}" "${REPO}/.local/demo-timeline" demo -namespace "${DEMO_NAMESPACE}" -name cache \
    -secret cache-auth -scenario "$1" -ctr-address "${CONTAINERD_SOCK}" || rc=$?
  show_rf
  return "${rc}"
}
step "delete the master pod while the writer runs (the planned path)" scenario delete
step "SIGKILL the master's redis-server while the writer runs (the unplanned path)" scenario sigkill

cat >&2 <<EOF_HELP

How to connect (namespace ${DEMO_NAMESPACE}, password in Secret cache-auth, key "password"):
  export KUBECONFIG=${KUBECONFIG_LOCAL}
  PASSWORD=\$(kubectl -n ${DEMO_NAMESPACE} get secret cache-auth -o jsonpath='{.data.password}' | base64 -d)
  # Sentinel-aware clients: sentinels at rfs-cache.${DEMO_NAMESPACE}.svc:26379, master name "${master_name}" (status.masterName),
  # the same password for the sentinels and Redis. From a shell in the cluster:
  kubectl -n ${DEMO_NAMESPACE} exec -it rfr-cache-0 -c redis -- redis-cli -h rfs-cache -p 26379 -a "\$PASSWORD" SENTINEL get-master-addr-by-name ${master_name}
  # Other clients: writes to Service rfrm-cache:6379 (the master), reads from rfrs-cache:6379 (replicas).
  kubectl -n ${DEMO_NAMESPACE} exec -it rfr-cache-0 -c redis -- redis-cli -h rfrm-cache -a "\$PASSWORD" SET hello world
  kubectl -n ${DEMO_NAMESPACE} get rf            # MASTER, READY, SENTINELS, AGE
  kubectl -n ${DEMO_NAMESPACE} describe rf cache # conditions and events
EOF_HELP
