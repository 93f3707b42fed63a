#!/usr/bin/env bash
# Stops the local cluster started by hack/cluster-up.sh and puts the host back as it was: pods are
# deleted first (through the API while it still answers), then the recorded processes are stopped,
# and whatever a crashed run left behind (containers, shims, netns, mounts, the bridge, iptables
# chains, kubepods cgroups, sysctls) is removed. Safe to run when nothing is up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${REPO}/hack/lib/cluster.sh"
source "${REPO}/hack/lib/images.sh"

OWN_CHAINS='KUBE-|CNI-|RFO-LOCALNODE'

api_up() {
  [[ -f "${KUBECONFIG_LOCAL}" ]] && recorded_pid kube-apiserver >/dev/null &&
    kubectl_local get --raw /readyz --request-timeout=3s >/dev/null 2>&1
}

delete_pods() {
  if ! api_up; then
    log "    API server not answering; containers are removed directly below"
    return 0
  fi
  # Without the controllers and the scheduler nothing recreates what is deleted next.
  stop_component kube-controller-manager
  stop_component kube-scheduler
  kubectl_local delete pods --all --all-namespaces --grace-period=2 --wait=true --timeout=60s >/dev/null ||
    warn "not every pod was deleted through the API in 60s; removing their containers directly"
  # The kubelet tears sandboxes (and their network namespaces) down after the pod is gone.
  local deadline=$(( SECONDS + 30 ))
  while containerd_running && [[ -n "$(ctr_local tasks ls -q 2>/dev/null)" ]] && (( SECONDS < deadline )); do
    sleep 0.2
  done
}

stop_processes() {
  local i
  for (( i=${#COMPONENTS[@]}-1; i>=0; i-- )); do
    case "${COMPONENTS[i]}" in
      # Its graceful shutdown can hang well after it stopped serving; nothing is lost by cutting it.
      kube-apiserver) stop_component kube-apiserver 5 ;;
      *) stop_component "${COMPONENTS[i]}" ;;
    esac
  done
  # A run whose PID files are gone (deleted scratch folder, crash while writing) still left
  # processes whose command lines name this cluster's scratch folder: those are ours too.
  local pid cmd orphans=()
  for pid in $(pgrep -f -- "${STATE}/" || true); do
    [[ "${pid}" == "$$" || "${pid}" == "${BASHPID}" ]] && continue
    cmd=$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null) || continue
    # Only the components themselves: a kubectl, helm or operator someone runs against this
    # cluster also names the scratch folder (its kubeconfig) and is not ours to stop.
    case "${cmd}" in
      "${BIN}/etcd "*|"${BIN}/kube-apiserver "*|"${BIN}/kube-controller-manager "*|"${BIN}/kube-scheduler "*|\
      "${BIN}/kubelet "*|"${BIN}/kube-proxy "*|"${BIN}/local-volumes "*|"containerd --config ${STATE}/"*)
        log "    stopping unrecorded process ${pid}: ${cmd:0:100}"
        kill -TERM "${pid}" 2>/dev/null && orphans+=("${pid}") ;;
    esac
  done
  local deadline=$(( SECONDS + 15 ))
  for pid in "${orphans[@]}"; do
    while [[ -n "$(proc_starttime "${pid}")" ]] && (( SECONDS < deadline )); do sleep 0.05; done
    if [[ -n "$(proc_starttime "${pid}")" ]]; then
      log "    unrecorded process ${pid} survived SIGTERM; sending SIGKILL"
      kill -KILL "${pid}" 2>/dev/null || true
    fi
  done
}

remove_containers() {
  # Containers still running after a crash: runc state of this cluster only (its own --root).
  local root id
  for root in "${STATE}"/runc/*/; do
    [[ -d "${root}" ]] || continue
    for id in $(runc --root "${root}" list -q 2>/dev/null); do
      runc --root "${root}" delete --force "${id}" 2>/dev/null || warn "could not delete container ${id}"
    done
  done
  # Their shims, told apart from any other containerd's by this cluster's socket path.
  local pid
  for pid in $(pgrep -f -- "-address ${STATE}/containerd/containerd.sock" || true); do
    kill -KILL "${pid}" 2>/dev/null || true
  done
}

remove_mounts() {
  local m
  # Deepest first: the kubelet bind-mounts its root dir onto itself and volumes live below it.
  for m in $(awk -v s="${STATE}/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-); do
    umount "${m}" 2>/dev/null || umount -l "${m}" || warn "could not unmount ${m}"
  done
}

remove_netns() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ { print $1 }'); do
    # Only namespaces nobody uses any more: ours are empty once their containers are gone.
    if [[ -z "$(ip netns pids "${ns}" 2>/dev/null)" ]]; then
      ip netns delete "${ns}" || warn "could not delete netns ${ns}"
    else
      warn "netns ${ns} still has processes ($(ip netns pids "${ns}" | tr '\n' ' ')); left alone"
    fi
  done
}

remove_bridge() {
  local veth
  for veth in $(ip -o link show master "${BRIDGE}" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    ip link delete "${veth}" 2>/dev/null || true
  done
  if ip link show "${BRIDGE}" >/dev/null 2>&1; then
    ip link delete "${BRIDGE}"
  fi
}

# clean_chains IPTABLES: removes the chains kube-proxy, the kubelet, the CNI plugins and
# cluster-up created, and the rules of other chains that jump to them; nothing else.
clean_chains() {
  local cmd="$1" table dump line chain
  command -v "${cmd}-save" >/dev/null || return 0
  for table in filter nat mangle raw; do
    dump=$("${cmd}-save" -t "${table}" 2>/dev/null) || continue
    while IFS= read -r line; do
      # iptables-save quotes arguments with spaces (comments) the way a shell would read them.
      eval "${cmd} -w -t ${table} -D ${line#-A }" || warn "${cmd} -t ${table}: could not delete: ${line}"
    done < <(printf '%s\n' "${dump}" | grep -E "^-A " | grep -vE "^-A (${OWN_CHAINS})" | grep -E " -[jg] (${OWN_CHAINS})" || true)
    for chain in $(printf '%s\n' "${dump}" | grep -oE "^:(${OWN_CHAINS})[^ ]*" | cut -c2-); do
      "${cmd}" -w -t "${table}" -F "${chain}" 2>/dev/null || true
    done
    for chain in $(printf '%s\n' "${dump}" | grep -oE "^:(${OWN_CHAINS})[^ ]*" | cut -c2-); do
      "${cmd}" -w -t "${table}" -X "${chain}" || warn "${cmd} -t ${table}: could not delete chain ${chain}"
    done
  done
}

remove_chains() {
  clean_chains iptables
  clean_chains ip6tables
}

remove_cgroups() {
  local dir
  for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "${dir}" ]] || continue
    find "${dir}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [[ ! -d "${dir}" ]] || warn "could not remove cgroup ${dir} (processes left in it?)"
  done
}

# clean_host_path PATH WAS: removes what this cluster leaves in a fixed host folder: links into
# its scratch folder, its CNI results (network "localnode"), and, when the folder did not exist
# before, sockets and the then-empty folders. Anything else stays and is reported.
clean_host_path() {
  local path="$1" was="$2"
  [[ -e "${path}" ]] || return 0
  find "${path}" -type l -lname "${STATE}/*" -delete 2>/dev/null || true
  find "${path}" -type f -path '*/results/localnode-*' -delete 2>/dev/null || true
  if [[ "${was}" == absent ]]; then
    # containerd's CRI names its loopback network "cni-loopback"; with the folder new since
    # cluster-up, those cached results can only be this cluster's (left by a crash).
    find "${path}" -type f -path '*/results/cni-loopback-*' -delete 2>/dev/null || true
    find "${path}" -type s -delete 2>/dev/null || true
    find "${path}" -depth -type d -empty -delete 2>/dev/null || true
    if [[ -e "${path}" ]]; then
      warn "${path} did not exist before cluster-up and still holds: $(find "${path}" -mindepth 1 | head -5 | tr '\n' ' ')"
    fi
  fi
}

# remove_empty_table FAMILY/TABLE WAS: iptables (nf_tables backend) creates its tables on first
# use and never removes them; drop one that did not exist before cluster-up once it holds nothing
# but empty built-in chains with the default policy.
remove_empty_table() {
  local key="$1" was="$2" family table cmd
  [[ "${was}" == absent ]] || return 0
  command -v nft >/dev/null || return 0
  family=${key%%/*}; table=${key#*/}
  nft list table "${family}" "${table}" >/dev/null 2>&1 || return 0
  cmd=iptables; [[ "${family}" == ip6 ]] && cmd=ip6tables
  local extra
  extra=$("${cmd}-save" -t "${table}" 2>/dev/null | grep -E '^(-A|:)' |
    grep -vE '^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ACCEPT ' || true)
  if [[ -z "${extra}" ]]; then
    nft delete table "${family}" "${table}" || warn "could not delete nftables table ${family} ${table}"
  else
    warn "nftables table ${family} ${table} is new since cluster-up but holds rules not ours; left alone"
  fi
}

restore_host() {
  [[ -f "${HOST_SNAPSHOT}" ]] || { log "    no host snapshot (nothing was started)"; return 0; }
  local kind key value
  while read -r kind key value; do
    case "${kind}" in
      sysctl)
        if [[ -w "/proc/sys/${key}" && "$(cat "/proc/sys/${key}")" != "${value}" ]]; then
          printf '%s\n' "${value}" >"/proc/sys/${key}" && log "    ${key} back to ${value}"
        fi ;;
      path) clean_host_path "${key}" "${value}" ;;
      nfttable) remove_empty_table "${key}" "${value}" ;;
    esac
  done <"${HOST_SNAPSHOT}"
  rm -f "${HOST_SNAPSHOT}"
}

remove_scratch() {
  # Certificates, the kubeconfig and containerd's image store survive a down: the next up reuses
  # them (no re-import). Everything that describes the running cluster goes.
  # The volumes' folders go with etcd: no PersistentVolume points at them any more.
  rm -rf "${STATE}/etcd" "${STATE}/volumes" "${STATE}/kubelet" "${STATE}/cni" "${STATE}/pod-logs" "${STATE}/runc" \
    "${STATE}/containerd/state" "${PIDS}" "${STATE}"/*-certs
  if [[ -d "${LOGS}" ]]; then
    rm -rf "${STATE}/logs.previous"
    mv "${LOGS}" "${STATE}/logs.previous"
  fi
}

# verify_clean: checks, rather than assumes, that the steps above left nothing of the cluster.
verify_clean() {
  local left=() pid
  for pid in $(pgrep -f -- "${STATE}/" || true); do
    case "$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null)" in
      "${BIN}/etcd "*|"${BIN}/kube-"*|"${BIN}/kubelet "*|"${BIN}/local-volumes "*|"containerd --config ${STATE}/"*|*containerd-shim*) left+=("process ${pid}") ;;
    esac
  done
  ip link show "${BRIDGE}" >/dev/null 2>&1 && left+=("bridge ${BRIDGE}")
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ { print $1 }'); do left+=("netns ${ns}"); done
  local cmd table chains
  for cmd in iptables ip6tables; do
    for table in filter nat mangle raw; do
      chains=$("${cmd}-save" -t "${table}" 2>/dev/null | grep -oE "^:(${OWN_CHAINS})[^ ]*" | cut -c2- | tr '\n' ' ' || true)
      [[ -z "${chains}" ]] || left+=("${cmd} ${table} chains: ${chains}")
    done
  done
  local m
  for m in $(awk -v s="${STATE}/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo); do left+=("mount ${m}"); done
  local dir
  for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "${dir}" ]] && left+=("cgroup ${dir}")
  done
  if (( ${#left[@]} > 0 )); then
    die "the host is not clean after cluster-down: $(printf '%s; ' "${left[@]}")"
  fi
}

usage() {
  die "usage: hack/cluster-down.sh [--force]
  --force  also clean the shared host state (bridge ${BRIDGE}, KUBE-*/CNI-* chains, cni-* netns,
           kubepods cgroups) when this checkout has no record of starting a cluster, e.g. after
           .local/cluster was deleted while a cluster ran. Do not use it while another checkout's
           cluster is up: those are shared names."
}

main() {
  local force=""
  case "${1:-}" in
    "") ;;
    --force) force=1 ;;
    *) usage ;;
  esac
  need_root "cluster-down"
  local start=${SECONDS}
  mkdir -p "${STATE}"
  exec 9>"${STATE}/.lock"
  flock -w 120 9 || die "another cluster-up/cluster-down has held ${STATE}/.lock for 2 minutes; is one still running? (fuser -v ${STATE}/.lock)"
  step "delete pods" delete_pods
  step "stop recorded processes" stop_processes
  step "remove leftover containers and shims" remove_containers
  step "unmount" remove_mounts
  # The bridge, the chains, cni-* netns and kubepods cgroups have machine-wide names: clean them only
  # when this checkout started a cluster (its host snapshot exists, even after a crash), so that a
  # cluster-down in another clone (say a CI run) cannot wreck a cluster someone else is using.
  if [[ -f "${HOST_SNAPSHOT}" || -n "${force}" ]]; then
    step "delete cni-* network namespaces" remove_netns
    step "delete bridge ${BRIDGE}" remove_bridge
    step "delete KUBE-*/CNI-* iptables chains" remove_chains
    step "remove kubepods cgroups" remove_cgroups
    step "restore sysctls, host folders, iptables tables" restore_host
    step "verify nothing of the cluster is left" verify_clean
  else
    log "    this checkout has no record of a started cluster: shared host state (bridge, chains, netns, cgroups) left alone"
  fi
  step "remove run state" remove_scratch
  log "cluster-down took $(( SECONDS - start ))s; host restored"
}

main "$@"
