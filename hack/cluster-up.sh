#!/usr/bin/env bash
# Starts a real single-node Kubernetes on this machine: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, containerd + runc + bridge CNI, kubelet, kube-proxy and
# CoreDNS, all from bin/ and all state under .local/cluster. Returns when the node is Ready and
# cluster DNS answers. Safe to run again while the cluster is up (then it only checks it).
# Undo with hack/cluster-down.sh. Pods get no default route and no masquerading: no pod traffic
# leaves the machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${REPO}/hack/lib/cluster.sh"
source "${REPO}/hack/lib/images.sh"

APISERVER_URL="https://${NODE_IP}:${APISERVER_PORT}"

all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do recorded_pid "${c}" >/dev/null || return 1; done
}

any_running() {
  local c
  for c in "${COMPONENTS[@]}"; do recorded_pid "${c}" >/dev/null && return 0; done
  return 1
}

node_ready() {
  [[ "$(kubectl_local get node "${NODE_NAME}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

print_usage_hint() {
  log "cluster is up. Use it with:"
  printf '  export KUBECONFIG=%s\n  %s get nodes,pods -A\n' "${KUBECONFIG_LOCAL}" "${BIN}/kubectl"
}

preflight() {
  need_root "cluster-up"
  local b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns; do
    [[ -x "${BIN}/${b}" ]] || die "bin/${b} is missing; run: hack/toolchain.sh (or make tools)"
  done
  for b in containerd ctr runc iptables ip /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/loopback /usr/lib/cni/portmap openssl jq curl; do
    command -v "${b}" >/dev/null || die "${b} is missing; run: hack/toolchain.sh debian"
  done
  # Every port the components listen on (any address) must be free: a clash would otherwise show
  # up as a component dying somewhere in the middle of the start.
  local spec name port owner
  for spec in etcd:${ETCD_CLIENT_PORT} etcd-peer:${ETCD_PEER_PORT} kube-apiserver:${APISERVER_PORT} \
    kube-controller-manager:${KCM_PORT} kube-scheduler:${SCHEDULER_PORT} kubelet:${KUBELET_PORT} \
    kubelet-healthz:${KUBELET_HEALTHZ_PORT} kube-proxy-metrics:${PROXY_METRICS_PORT} kube-proxy-healthz:${PROXY_HEALTHZ_PORT}; do
    name=${spec%%:*}; port=${spec##*:}
    owner=$(port_owner "${port}")
    [[ -z "${owner}" ]] || die "port ${port} (needed by ${name}) is already in use: ${owner}; stop that process or change the port in hack/lib/cluster.sh"
  done
  # cluster-down (run just before) removed this checkout's bridge; one still there belongs to a
  # cluster started from another checkout, or to a run whose .local/cluster was deleted.
  if ip link show "${BRIDGE}" >/dev/null 2>&1; then
    die "bridge ${BRIDGE} exists but this checkout did not create it: another checkout's local cluster is probably up (stop it with its hack/cluster-down.sh); if none is, clean up with: hack/cluster-down.sh --force"
  fi
  # Another interface owning our pod range would make the node's routing ambiguous.
  local other
  other=$(ip -o route show to match "${NODE_IP}" | grep -v "dev ${BRIDGE}" | grep -v '^default' || true)
  [[ -z "${other}" ]] || die "the pod network ${CLUSTER_CIDR} is already routed elsewhere on this host (${other}); the local cluster needs it"
}

record_host() {
  # Only the first up after a clean host records: a second up must not take the cluster's own
  # values for the host's.
  [[ -f "${HOST_SNAPSHOT}" ]] && return 0
  mkdir -p "${STATE}"
  local s p
  : >"${HOST_SNAPSHOT}.tmp"
  for s in "${SYSCTLS[@]}"; do
    if [[ -r "/proc/sys/${s}" ]]; then printf 'sysctl %s %s\n' "${s}" "$(cat "/proc/sys/${s}")" >>"${HOST_SNAPSHOT}.tmp"; fi
  done
  if command -v nft >/dev/null; then
    local family table
    for family in ip ip6; do
      for table in filter nat mangle raw; do
        if nft list table "${family}" "${table}" >/dev/null 2>&1; then
          printf 'nfttable %s/%s present\n' "${family}" "${table}"
        else
          printf 'nfttable %s/%s absent\n' "${family}" "${table}"
        fi >>"${HOST_SNAPSHOT}.tmp"
      done
    done
  fi
  for p in "${HOST_PATHS[@]}"; do
    if [[ -e "${p}" ]]; then printf 'path %s present\n' "${p}"; else printf 'path %s absent\n' "${p}"; fi >>"${HOST_SNAPSHOT}.tmp"
  done
  mv "${HOST_SNAPSHOT}.tmp" "${HOST_SNAPSHOT}"
}

network() {
  if ! ip link show "${BRIDGE}" >/dev/null 2>&1; then
    ip link add "${BRIDGE}" type bridge
  fi
  # A bridge with no address of its own takes the lowest MAC among its ports, so it changes
  # whenever a pod's veth with a lower MAC comes or goes, and the pods' ARP entries for the node
  # go stale (kubenet fixed cbr0's MAC for the same reason). A fixed, locally administered MAC
  # keeps it still across pod churn. (On this project's 2-CPU machines the clients' write gaps
  # around pod deletions measured the same either way: CPU contention dominates them.)
  ip link set "${BRIDGE}" address "${BRIDGE_MAC}"
  ip addr replace "${NODE_IP}/${POD_CIDR#*/}" dev "${BRIDGE}"
  ip link set "${BRIDGE}" up
  # Same-bridge pod -> Service -> pod replies must pass iptables to be un-NATed.
  if [[ -w /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
    echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
  else
    warn "br_netfilter is not loaded: a pod reaching a Service backed by another pod may get no reply"
  fi
  # Belt and braces next to "no default route in pods": whatever a pod sends, the host forwards it
  # only back onto the pod bridge, never out of another interface.
  iptables -N RFO-LOCALNODE-ISOLATION 2>/dev/null || iptables -F RFO-LOCALNODE-ISOLATION
  iptables -A RFO-LOCALNODE-ISOLATION -s "${CLUSTER_CIDR}" ! -o "${BRIDGE}" -j DROP
  iptables -C FORWARD -j RFO-LOCALNODE-ISOLATION 2>/dev/null || iptables -I FORWARD 1 -j RFO-LOCALNODE-ISOLATION
  mkdir -p "${STATE}/cni/net.d" "${STATE}/cni/ipam"
  render cni-bridge.conflist "${STATE}/cni/net.d/10-localnode.conflist"
}

host_network() {
  record_host
  network
}

pki() {
  if [[ -f "${PKI}/admin.crt" && -f "${PKI}/sa.pub" ]]; then
    log "    reusing certificates in ${PKI#"${REPO}"/}"
    return 0
  fi
  mkdir -p "${PKI}"
  (
    cd "${PKI}"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=localnode-ca" 2>/dev/null
    # sign NAME SUBJECT [SANS]: a key and a certificate signed by the cluster CA.
    sign() {
      local ext="basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=${4}"
      [[ -n "${3}" ]] && ext+=$'\n'"subjectAltName=${3}"
      openssl req -newkey rsa:2048 -nodes -keyout "${1}.key" -out "${1}.csr" -subj "${2}" 2>/dev/null
      openssl x509 -req -in "${1}.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -out "${1}.crt" -extfile <(printf '%s\n' "${ext}") 2>/dev/null
      rm -f "${1}.csr"
    }
    sign apiserver "/CN=kube-apiserver" \
      "IP:${NODE_IP},IP:127.0.0.1,IP:${SERVICE_CIDR%.*/*}.1,DNS:localhost,DNS:${NODE_NAME},DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" serverAuth
    sign admin "/O=system:masters/CN=kubernetes-admin" "" clientAuth
    sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "" clientAuth
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
  # One admin kubeconfig for the components, the tests and the user.
  local tmp="${KUBECONFIG_LOCAL}.tmp"
  cat >"${tmp}" <<KC
apiVersion: v1
kind: Config
clusters:
- name: localnode
  cluster:
    server: ${APISERVER_URL}
    certificate-authority-data: $(base64 -w0 "${PKI}/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(base64 -w0 "${PKI}/admin.crt")
    client-key-data: $(base64 -w0 "${PKI}/admin.key")
contexts:
- name: localnode
  context: {cluster: localnode, user: admin}
current-context: localnode
KC
  chmod 600 "${tmp}"
  mv "${tmp}" "${KUBECONFIG_LOCAL}"
}

start_etcd() {
  start_component etcd "${BIN}/etcd" --name "${NODE_NAME}" --data-dir "${STATE}/etcd" \
    --listen-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "${NODE_NAME}=http://127.0.0.1:${ETCD_PEER_PORT}" \
    --unsafe-no-fsync --log-level warn
  wait_until etcd 30 curl -fsS "http://127.0.0.1:${ETCD_CLIENT_PORT}/health"
}

start_apiserver() {
  # The advertise address cannot be loopback (the endpoint reconciler refuses it); the node bridge
  # address is reachable both from the host and from pods through the 'kubernetes' Service.
  start_component kube-apiserver "${BIN}/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
    --bind-address "${NODE_IP}" --secure-port "${APISERVER_PORT}" --advertise-address "${NODE_IP}" \
    --service-cluster-ip-range "${SERVICE_CIDR}" --authorization-mode Node,RBAC --allow-privileged=true \
    --client-ca-file "${PKI}/ca.crt" --tls-cert-file "${PKI}/apiserver.crt" --tls-private-key-file "${PKI}/apiserver.key" \
    --kubelet-client-certificate "${PKI}/apiserver-kubelet-client.crt" --kubelet-client-key "${PKI}/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "${PKI}/sa.pub" --service-account-signing-key-file "${PKI}/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --cert-dir "${STATE}/apiserver-certs"
  wait_until kube-apiserver 90 curl -fsS --cacert "${PKI}/ca.crt" --cert "${PKI}/admin.crt" --key "${PKI}/admin.key" "${APISERVER_URL}/readyz"
}

start_controllers() {
  start_component kube-controller-manager "${BIN}/kube-controller-manager" --kubeconfig "${KUBECONFIG_LOCAL}" \
    --bind-address 127.0.0.1 --secure-port "${KCM_PORT}" --cert-dir "${STATE}/kcm-certs" --leader-elect=false \
    --use-service-account-credentials=true --service-account-private-key-file "${PKI}/sa.key" \
    --root-ca-file "${PKI}/ca.crt" --cluster-cidr "${CLUSTER_CIDR}" --service-cluster-ip-range "${SERVICE_CIDR}"
  start_component kube-scheduler "${BIN}/kube-scheduler" --kubeconfig "${KUBECONFIG_LOCAL}" \
    --bind-address 127.0.0.1 --secure-port "${SCHEDULER_PORT}" --cert-dir "${STATE}/scheduler-certs" --leader-elect=false
  wait_until kube-controller-manager 60 curl -fsSk "https://127.0.0.1:${KCM_PORT}/healthz"
  wait_until kube-scheduler 60 curl -fsSk "https://127.0.0.1:${SCHEDULER_PORT}/healthz"
}

# The volume provisioner is this repository's own code (hack/local-volumes), built here so that
# a cluster always runs the checkout's version; the build cache makes it a link after the first.
start_volumes() {
  (cd "${REPO}" && CGO_ENABLED=0 go build -trimpath -o "${BIN}/local-volumes" ./hack/local-volumes) ||
    die "building hack/local-volumes failed"
  start_component local-volumes "${BIN}/local-volumes" --kubeconfig "${KUBECONFIG_LOCAL}" \
    --dir "${STATE}/volumes" --node "${NODE_NAME}"
  local manifest="${STATE}/storageclass.yaml"
  render storageclass.yaml "${manifest}"
  kubectl_local apply -f "${manifest}" >/dev/null || die "applying the StorageClass failed"
}

start_containerd() {
  mkdir -p "${STATE}/containerd"
  render containerd-config.toml "${STATE}/containerd/config.toml"
  start_component containerd containerd --config "${STATE}/containerd/config.toml"
  wait_until containerd 30 containerd_running
}

node_images() {
  ensure_image "${PAUSE_IMAGE}" image_pause
  ensure_image "${COREDNS_IMAGE}" image_coredns
  # Not needed by the node itself, but by nearly every workload here; having it from the start
  # means stock Redis pods run right after cluster-up, without `make images`.
  ensure_image "${REDIS_IMAGE}" image_redis
}

start_node() {
  mkdir -p "${STATE}/kubelet" "${STATE}/pod-logs"
  render kubelet-config.yaml "${STATE}/kubelet/config.yaml"
  start_component kubelet "${BIN}/kubelet" --config "${STATE}/kubelet/config.yaml" --kubeconfig "${KUBECONFIG_LOCAL}" \
    --root-dir "${STATE}/kubelet/root" --cert-dir "${STATE}/kubelet/pki" \
    --hostname-override "${NODE_NAME}" --node-ip "${NODE_IP}"
  # conntrack values 0 = leave the host's as they are; no localhost NodePorts = no route_localnet.
  start_component kube-proxy "${BIN}/kube-proxy" --kubeconfig "${KUBECONFIG_LOCAL}" --hostname-override "${NODE_NAME}" \
    --proxy-mode iptables --cluster-cidr "${CLUSTER_CIDR}" \
    --metrics-bind-address "127.0.0.1:${PROXY_METRICS_PORT}" --healthz-bind-address "127.0.0.1:${PROXY_HEALTHZ_PORT}" \
    --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0 \
    --iptables-localhost-nodeports=false
  wait_until kubelet 60 node_ready
  wait_until kube-proxy 30 curl -fsS "http://127.0.0.1:${PROXY_HEALTHZ_PORT}/healthz"
}

dns_answers() {
  busybox nslookup "kubernetes.default.svc.cluster.local" "${DNS_IP}" 2>/dev/null | grep "Address: ${SERVICE_CIDR%.*/*}.1" >/dev/null
}

start_dns() {
  local manifest="${STATE}/coredns.yaml"
  render coredns.yaml "${manifest}"
  kubectl_local apply -f "${manifest}" >/dev/null
  kubectl_local -n kube-system rollout status deployment/coredns --timeout=90s >/dev/null ||
    die "CoreDNS did not become ready in 90s: $(kubectl_local -n kube-system get pods -l k8s-app=kube-dns -o wide 2>&1)"
  # Answered from the host through the Service IP: proves kube-proxy's rules and CoreDNS together.
  wait_until coredns 60 dns_answers
}

main() {
  local start=${SECONDS}
  preflight_lock
  if all_running && node_ready && dns_answers; then
    log "cluster already up (node ${NODE_NAME} Ready, DNS answers); nothing to do"
    print_usage_hint
    return 0
  fi
  # Anything short of a healthy cluster (half started, crashed, killed, stale PID files) is torn
  # down first: starting from a clean host is the only state this script knows how to build on.
  if any_running; then
    log "a previous cluster is partly running; tearing it down first"
  fi
  flock -u 9
  "${REPO}/hack/cluster-down.sh" >"${STATE}/cleanup-before-up.log" 2>&1 ||
    die "cleaning up before the start failed; see ${STATE}/cleanup-before-up.log"
  preflight_lock
  step "preflight (binaries, packages, free ports)" preflight
  # A start that fails half way leaves its processes running for inspection; say how to get rid
  # of them (the next cluster-up also does it first).
  trap 'rc=$?; if (( rc != 0 )); then log "cluster-up failed; component logs: ${LOGS#"${REPO}"/}/; hack/cluster-down.sh stops what was started and restores the host"; fi' EXIT
  step "host snapshot + node network (${BRIDGE} ${NODE_IP}/${POD_CIDR#*/})" host_network
  step "certificates + kubeconfig" pki
  step "etcd ${ETCD_VERSION}" start_etcd
  step "kube-apiserver" start_apiserver
  step "kube-controller-manager + kube-scheduler" start_controllers
  step "volume provisioner (StorageClass local, the default)" start_volumes
  step "containerd" start_containerd
  step "node images (pause, CoreDNS, Redis)" node_images
  step "kubelet + kube-proxy (node Ready)" start_node
  step "CoreDNS (answers for cluster.local)" start_dns
  log "cluster-up took $(( SECONDS - start ))s"
  print_usage_hint
}

# Serialises up and down: two ups at once would both start an etcd.
preflight_lock() {
  mkdir -p "${STATE}"
  exec 9>"${STATE}/.lock"
  flock -w 120 9 || die "another cluster-up/cluster-down has held ${STATE}/.lock for 2 minutes; is one still running? (fuser -v ${STATE}/.lock)"
}

main "$@"
