# shellcheck shell=bash disable=SC2034
# The local single-node cluster's layout (addresses, ports, scratch paths) and the process and host
# bookkeeping shared by cluster-up.sh and cluster-down.sh. Requires lib/common.sh.

STATE="${REPO}/.local/cluster"
KUBECONFIG_LOCAL="${STATE}/kubeconfig"
PIDS="${STATE}/pids"
LOGS="${STATE}/logs"
PKI="${STATE}/pki"
# Host values changed while the cluster runs, recorded by the first cluster-up and put back by
# cluster-down (the bridge CNI plugin turns on ip_forward, the kubelet tunes kernel panic/overcommit).
HOST_SNAPSHOT="${STATE}/host-before.env"

NODE_NAME=localnode
BRIDGE=localnode0
# The bridge's own MAC (locally administered; see network() in cluster-up.sh for why it is set).
BRIDGE_MAC=02:72:66:6f:00:01
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
DNS_IP=10.96.0.10
APISERVER_PORT=6443
# Off the default etcd ports so that an etcd someone else runs on this machine does not collide.
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
KCM_PORT=10257
SCHEDULER_PORT=10259
KUBELET_PORT=20250
KUBELET_HEALTHZ_PORT=20248
PROXY_METRICS_PORT=10249
PROXY_HEALTHZ_PORT=10256

# Components in start order; cluster-down stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler local-volumes containerd kubelet kube-proxy)

# Host folders the kubelet, containerd and CNI create at fixed places whatever their
# configuration says (device-plugin socket, /var/log/containers links, libcni's result cache,
# shim sockets, netns mounts). cluster-down removes the ones that did not exist before.
HOST_PATHS=(/run/containerd /run/netns /var/lib/cni /var/lib/kubelet /var/log/containers)

SYSCTLS=(
  net/ipv4/ip_forward
  net/ipv4/conf/all/route_localnet
  net/bridge/bridge-nf-call-iptables
  vm/overcommit_memory
  vm/panic_on_oom
  kernel/panic
  kernel/panic_on_oops
  kernel/keys/root_maxkeys
  kernel/keys/root_maxbytes
)

# Its HTTP/discovery cache goes to the scratch folder, not ~/.kube.
kubectl_local() { "${BIN}/kubectl" --kubeconfig "${KUBECONFIG_LOCAL}" --cache-dir "${STATE}/kubectl-cache" "$@"; }

# render TEMPLATE OUT: fills the @NAME@ placeholders of a hack/cluster/ template.
render() {
  sed -e "s|@STATE@|${STATE}|g" -e "s|@BRIDGE@|${BRIDGE}|g" -e "s|@NODE_IP@|${NODE_IP}|g" \
    -e "s|@POD_CIDR@|${POD_CIDR}|g" -e "s|@SERVICE_CIDR@|${SERVICE_CIDR}|g" -e "s|@DNS_IP@|${DNS_IP}|g" \
    -e "s|@KUBELET_PORT@|${KUBELET_PORT}|g" -e "s|@KUBELET_HEALTHZ_PORT@|${KUBELET_HEALTHZ_PORT}|g" \
    -e "s|@PAUSE_IMAGE@|${PAUSE_IMAGE}|g" -e "s|@COREDNS_IMAGE@|${COREDNS_IMAGE}|g" \
    "${REPO}/hack/cluster/$1" >"$2"
  if grep -q '@[A-Z_]*@' "$2"; then die "template hack/cluster/$1 has an unfilled placeholder: $(grep -o '@[A-Z_]*@' "$2" | head -1)"; fi
}

# ---- processes we started -------------------------------------------------------------------
# A PID file holds "PID STARTTIME": the start time (field 22 of /proc/PID/stat) tells a live
# process of ours from an unrelated one that got the same PID after a crash or reboot.

# A zombie (state Z: exited, not yet reaped by init) counts as not running.
proc_starttime() { awk '{ sub(/^.*\) /, ""); if ($1 != "Z") print $20 }' "/proc/$1/stat" 2>/dev/null; }

# recorded_pid NAME: prints the PID when the recorded process is still ours and alive. Reports a
# stale PID file (and removes it) otherwise.
recorded_pid() {
  local file="${PIDS}/$1.pid" pid start
  [[ -f "${file}" ]] || return 1
  read -r pid start <"${file}" || true
  if [[ -n "${pid}" && -n "${start}" && "$(proc_starttime "${pid}")" == "${start}" ]]; then
    printf '%s\n' "${pid}"
    return 0
  fi
  if [[ -n "${pid}" && -n "$(proc_starttime "${pid}")" ]]; then
    log "    stale PID file ${file#"${REPO}"/}: PID ${pid} now belongs to another process ($(tr '\0' ' ' <"/proc/${pid}/cmdline" | cut -c1-60)); leaving it alone"
  else
    log "    stale PID file ${file#"${REPO}"/}: PID ${pid:-?} is not running"
  fi
  rm -f "${file}"
  return 1
}

# start_component NAME LOG_NAME CMD...: starts CMD in its own session (so a Ctrl-C of a later
# command in the same terminal cannot reach it) and records its PID.
start_component() {
  local name="$1"; shift
  mkdir -p "${PIDS}" "${LOGS}"
  # 9>&-: the scripts hold their lock on fd 9; a daemon inheriting it would keep the lock forever.
  setsid "$@" >>"${LOGS}/${name}.log" 2>&1 </dev/null 9>&- &
  local pid=$!
  local start=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    start=$(proc_starttime "${pid}") && [[ -n "${start}" ]] && break
    sleep 0.05
  done
  [[ -n "${start}" ]] || die "${name} exited immediately; last lines of ${LOGS}/${name}.log:
$(tail -n 20 "${LOGS}/${name}.log")"
  printf '%s %s\n' "${pid}" "${start}" >"${PIDS}/${name}.pid"
}

# wait_until NAME SECONDS CHECK...: polls CHECK until it succeeds; fails with the component's log
# when the component died or the deadline passed, so a broken start never hangs.
wait_until() {
  local name="$1" timeout="$2"; shift 2
  local deadline=$(( SECONDS + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [[ -f "${PIDS}/${name}.pid" ]] && ! recorded_pid "${name}" >/dev/null; then
      die "${name} died while starting; last lines of ${LOGS}/${name}.log:
$(tail -n 25 "${LOGS}/${name}.log" 2>/dev/null)"
    fi
    if (( SECONDS >= deadline )); then
      die "${name} not ready after ${timeout}s (check: $*); last lines of ${LOGS}/${name}.log:
$(tail -n 25 "${LOGS}/${name}.log" 2>/dev/null)"
    fi
    sleep 0.2
  done
}

# stop_component NAME [GRACE_SECONDS]: SIGTERM, then SIGKILL after the grace period (default 15s);
# only the recorded process.
stop_component() {
  local name="$1" grace="${2:-15}" pid start
  pid=$(recorded_pid "${name}") || { rm -f "${PIDS}/${name}.pid"; return 0; }
  start=$(proc_starttime "${pid}")
  kill -TERM "${pid}" 2>/dev/null || true
  local deadline=$(( SECONDS + grace ))
  while [[ "$(proc_starttime "${pid}")" == "${start}" ]] && (( SECONDS < deadline )); do sleep 0.05; done
  if [[ "$(proc_starttime "${pid}")" == "${start}" ]]; then
    log "    ${name} (PID ${pid}) still running ${grace}s after SIGTERM; sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    deadline=$(( SECONDS + 10 ))
    while [[ "$(proc_starttime "${pid}")" == "${start}" ]] && (( SECONDS < deadline )); do sleep 0.05; done
  fi
  rm -f "${PIDS}/${name}.pid"
  log "    stopped ${name} (PID ${pid})"
}

# port_owner PORT: prints who listens on a TCP port (any address), empty when free.
port_owner() {
  ss -Hltnp "sport = :$1" 2>/dev/null | awk 'NR == 1 { print $4, $6 }'
}
