#!/usr/bin/env bash
# End-to-end benchmark on the local cluster: each operation of the table (graceful master pod
# deletion, master SIGKILL, force-deletion, switchover on request, rolling update, scale-down of
# the master's ordinal) measured with the checking writer, first with our sentinels, then in
# the same run with stock redis-sentinel 7.0.15 in the sentinel pods (the operator reinstalled
# with --sentinel-implementation=redis-sentinel). Writes docs/bench-e2e.md.
#
#   make bench-e2e                          # every row, 5 runs each (about 25 minutes)
#   ROWS=graceful-delete,sigkill RUNS=1 make bench-e2e   # a quick look; the table goes to .local/
#   IMPLS=redis-failover make bench-e2e     # ours only
#   TRACE=1 ROWS=switchover RUNS=1 make bench-e2e   # also log each run's timeline
#
# It brings the cluster up if needed and leaves it up, with the operator back on its default
# sentinels; `make cluster-down` stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${REPO}/hack/lib/cluster.sh"
source "${REPO}/hack/lib/images.sh"
source "${REPO}/hack/lib/operator.sh"

ROWS="${ROWS:-}"
RUNS="${RUNS:-5}"
IMPLS="${IMPLS:-redis-failover redis-sentinel}"
TRACE="${TRACE:-}"
WORK="${REPO}/.local/bench-e2e"
# A partial run (ROWS or RUNS set) must not overwrite the published table.
if [[ -z "${BENCH_E2E_OUT:-}" ]]; then
  if [[ -z "${ROWS}" && "${RUNS}" == 5 && "${IMPLS}" == "redis-failover redis-sentinel" ]]; then
    BENCH_E2E_OUT="${REPO}/docs/bench-e2e.md"
  else
    BENCH_E2E_OUT="${WORK}/bench-e2e.md"
  fi
fi
# The timeline pictures of each row's first run go beside the table, in bench-e2e/.
PLOTS="$(dirname "${BENCH_E2E_OUT}")/bench-e2e"
COMMAND="make bench-e2e"
[[ -n "${ROWS}" ]] && COMMAND="ROWS=${ROWS} ${COMMAND}"
[[ "${RUNS}" != 5 ]] && COMMAND="RUNS=${RUNS} ${COMMAND}"

# The commit measured: taken now, before the images are built from the tree.
MEASURED_COMMIT="$(git -C "${REPO}" describe --always --dirty)"
step "toolchain" "${REPO}/hack/toolchain.sh"
step "cluster-up" "${REPO}/hack/cluster-up.sh"
step "make build" make -C "${REPO}" build
step "images" "${REPO}/hack/images.sh"
mkdir -p "${WORK}" "${PLOTS}"
step "build the benchmark" go -C "${REPO}" build -o "${WORK}/e2e" ./test/bench/e2e

restore_default() { install_operator redis-failover >/dev/null || warn "could not put the operator back on its default sentinels"; }
trap restore_default EXIT

export KUBECONFIG="${KUBECONFIG_LOCAL}"
results=()
for impl in ${IMPLS}; do
  step "install the operator with --sentinel-implementation=${impl}" install_operator "${impl}"
  out="${WORK}/${impl}.json"
  rm -f "${out}"
  step "measure (${impl})" "${WORK}/e2e" run -impl "${impl}" -runs "${RUNS}" ${ROWS:+-rows "${ROWS}"} \
    -out "${out}" -ctr-address "${CONTAINERD_SOCK}" -plots "${PLOTS}" ${TRACE:+-trace}
  results+=("${out}")
done

step "report" "${WORK}/e2e" report -out "${BENCH_E2E_OUT}" -plots "${PLOTS}" -command "${COMMAND}" \
  -commit "${MEASURED_COMMIT}" -redis-image "${REDIS_IMAGE}" \
  -kubernetes "${KUBERNETES_VERSION}" "${results[@]}"
log "table written to ${BENCH_E2E_OUT#"${REPO}"/}"
