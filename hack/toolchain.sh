#!/usr/bin/env bash
# Builds or installs every tool the project needs into bin/ (gitignored). Versions come from
# hack/versions.env only. Go binaries are built once per version into a cache outside the clone
# ($TOOL_CACHE, default ~/.cache/redis-failover-operator) and linked into bin/, so a second run, or a
# fresh clone on the same machine, takes seconds.
#
# usage: hack/toolchain.sh [debian|kubernetes|etcd|coredns|controller-gen|helm|envtest]...
#        (no argument: all of them)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

KUBERNETES_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
# The same flags as every other build of these binaries on this machine, so Go's build cache is hit.
KUBERNETES_LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION} -X k8s.io/client-go/pkg/version.gitVersion=${KUBERNETES_VERSION}"

usage() {
  sed -n 's/^# usage: //p; s/^#        //p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

check_go() {
  command -v go >/dev/null || die "go is not on PATH; install Go ${GO_VERSION_MIN} or newer"
  local have
  have=$(go env GOVERSION | sed 's/^go//')
  if [[ "$(printf '%s\n%s\n' "${GO_VERSION_MIN}" "${have}" | sort -V | head -1)" != "${GO_VERSION_MIN}" ]]; then
    die "Go ${have} is too old; hack/versions.env asks for at least ${GO_VERSION_MIN}"
  fi
}

# install_bin SRC DST: puts a cached binary into bin/ as a hard link (a copy across file systems);
# does nothing when DST is already that binary.
install_bin() {
  local src="$1" dst="$2"
  if [[ -e "${dst}" ]] && { [[ "${dst}" -ef "${src}" ]] || [[ "$(stat -c %s.%Y "${dst}")" == "$(stat -c %s.%Y "${src}")" ]]; }; then
    return 0
  fi
  mkdir -p "$(dirname "${dst}")"
  rm -f "${dst}"
  ln "${src}" "${dst}" 2>/dev/null || cp -p "${src}" "${dst}"
}

# cached NAME VERSION BUILD_FN ARGS...: makes sure $TOOL_CACHE/NAME-VERSION/NAME exists, calling
# BUILD_FN OUT ARGS... to build it into OUT when it does not; prints the cached path.
cached() {
  local name="$1" version="$2" fn="$3"; shift 3
  local dir="${TOOL_CACHE}/${name}-${version}"
  local out="${dir}/${name}"
  if [[ ! -x "${out}" ]]; then
    mkdir -p "${dir}"
    log "    building ${name} ${version} (cold; cached afterwards in ${dir})"
    "${fn}" "${out}.tmp" "$@" || { rm -f "${out}.tmp"; return 1; }
    mv -f "${out}.tmp" "${out}"
  fi
  printf '%s\n' "${out}"
}

# module_sum MODULE_DIR: a short hash of a tool module's go.mod and go.sum, part of the cache key
# of what it builds, so that a dependency raised in go.mod rebuilds the tool instead of reusing a
# binary built from the old one.
module_sum() {
  cat "${REPO}/$1/go.mod" "${REPO}/$1/go.sum" | sha256sum | cut -c1-12
}

# require_tool_version MODULE_DIR MODULE VERSION: the throwaway tool modules pin their versions in
# go.mod too; refuse to build when that disagrees with hack/versions.env instead of silently
# building another version.
require_tool_version() {
  local dir="$1" mod="$2" want="$3" have
  # Both forms go.mod writes: inside a require block, and a lone "require MODULE VERSION" line.
  have=$(awk -v m="${mod}" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "${REPO}/${dir}/go.mod")
  if [[ "${have}" != "${want}" ]]; then
    local get="go get ${mod}@${want}"
    grep -q '^tool ' "${REPO}/${dir}/go.mod" && get="go get -tool ${mod}@${want}"
    die "${dir}/go.mod requires ${mod} ${have:-<none>} but hack/versions.env pins ${want}; run: (cd ${dir} && ${get} && go mod tidy)"
  fi
}

# ---- Debian packages -------------------------------------------------------------------------

debian() {
  local packages="${RFO_DEBIAN_PACKAGES:-${DEBIAN_PACKAGES}}" missing=() p
  for p in ${packages}; do
    if ! dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep 'install ok installed' >/dev/null; then
      missing+=("${p}")
    fi
  done
  if (( ${#missing[@]} > 0 )); then
    need_root "installing Debian packages (${missing[*]})"
    log "    missing Debian packages: ${missing[*]}; running apt-get update"
    apt-get update -qq || die "apt-get update failed; cannot install ${missing[*]}"
    local bad=()
    for p in "${missing[@]}"; do
      local candidate
      candidate=$(apt-cache policy "${p}" 2>/dev/null | awk '/Candidate:/ { print $2 }')
      if [[ -z "${candidate}" || "${candidate}" == "(none)" ]]; then
        bad+=("${p}")
      fi
    done
    if (( ${#bad[@]} > 0 )); then
      die "Debian package(s) not installable from the configured apt sources: ${bad[*]} (check: apt-cache policy ${bad[*]}); install them by hand or fix /etc/apt/sources.list"
    fi
    # Debian's maintainer scripts would start redis-server and containerd as system services on
    # their default ports and sockets; the test bed runs its own instances, so forbid that
    # for the duration of the install (policy-rc.d exit 101 = "action forbidden").
    local policy=/usr/sbin/policy-rc.d placed=""
    if [[ ! -e "${policy}" ]]; then
      printf '#!/bin/sh\nexit 101\n' >"${policy}" && chmod 0755 "${policy}" && placed=1
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
    [[ -n "${placed}" ]] && rm -f "${policy}"
    (( rc == 0 )) || die "apt-get install failed (exit ${rc}) for: ${missing[*]}"
  else
    log "    all present: ${packages}"
  fi
  local redis_version
  redis_version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
  [[ "${redis_version}" == "${REDIS_DEBIAN_VERSION}" ]] ||
    die "redis-server is ${redis_version}, hack/versions.env pins ${REDIS_DEBIAN_VERSION} (Debian 12's version); the Redis image is packed from it"
}

# ---- Go builds -------------------------------------------------------------------------------

build_kubernetes_cmd() {
  local out="$1" cmd="$2"
  # Every one static, kubelet included (upstream builds kubelet with cgo unless
  # KUBE_STATIC_OVERRIDES=kubelet; nothing the local cluster uses needs it). One cgo setting
  # for all lets them share Go's build cache: with cgo, every package that imports net compiles
  # a second time. Measured on 2 cores: kubelet with cgo took 668 s of a cold toolchain's 41
  # minutes; static, after the other binaries, 64 s.
  (cd "${REPO}/hack/tools/k8s" &&
    CGO_ENABLED=0 go build -trimpath -ldflags "${KUBERNETES_LDFLAGS}" -o "${out}" "k8s.io/kubernetes/cmd/${cmd}")
}

# The staging modules (k8s.io/api, client-go, ...) are pinned by replace lines, which must follow
# the Kubernetes version too.
require_staging_version() {
  local stale
  stale=$(awk -v want="${KUBERNETES_STAGING_VERSION}" '$2 == "=>" && $1 ~ /^k8s\.io\// && $4 != want { print $1 " " $4 }' "${REPO}/hack/tools/k8s/go.mod")
  [[ -z "${stale}" ]] || die "hack/tools/k8s/go.mod replaces staging modules with other versions than KUBERNETES_STAGING_VERSION=${KUBERNETES_STAGING_VERSION}: ${stale//$'\n'/, }"
}

kubernetes_cmd() {
  local cmd="$1" dst="${2:-${BIN}/$1}" src
  require_tool_version hack/tools/k8s k8s.io/kubernetes "${KUBERNETES_VERSION}"
  require_staging_version
  src=$(cached "${cmd}" "${KUBERNETES_VERSION}-$(module_sum hack/tools/k8s)" build_kubernetes_cmd "${cmd}")
  install_bin "${src}" "${dst}"
}

kubernetes() {
  local cmd
  for cmd in "${KUBERNETES_COMMANDS[@]}"; do
    step "${cmd} ${KUBERNETES_VERSION}" kubernetes_cmd "${cmd}"
  done
}

build_etcd() {
  (cd "${REPO}/hack/tools/etcd" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$1" go.etcd.io/etcd/server/v3)
}

etcd() {
  local dst="${1:-${BIN}/etcd}" src
  require_tool_version hack/tools/etcd go.etcd.io/etcd/server/v3 "${ETCD_VERSION}"
  src=$(cached etcd "${ETCD_VERSION}-$(module_sum hack/tools/etcd)" build_etcd)
  install_bin "${src}" "${dst}"
}

# go_install OUT PACKAGE VERSION [go install flags...]: for tools whose module can be installed
# directly (no replace directives).
go_install() {
  local out="$1" pkg="$2" version="$3"; shift 3
  local gobin
  gobin=$(mktemp -d "${TOOL_CACHE}/.gobin.XXXXXX")
  # Static, so that the same binary can go into an image with an empty root file system.
  if ! CGO_ENABLED=0 GOBIN="${gobin}" go install -trimpath "$@" "${pkg}@${version}"; then
    rm -rf "${gobin}"
    return 1
  fi
  mv -f "${gobin}/$(basename "${pkg}")" "${out}"
  rm -rf "${gobin}"
}

# CoreDNS with only the plugins the local cluster's Corefile uses (hack/tools/coredns/main.go):
# the stock build compiles every plugin, cloud SDKs and tracers included. Measured on 2 cores,
# cold: 360 s for the stock build (machine under other load), 118 s for this one (idle machine).
build_coredns() {
  (cd "${REPO}/hack/tools/coredns" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$1" .)
}

coredns() {
  require_tool_version hack/tools/coredns github.com/coredns/coredns "${COREDNS_VERSION}"
  # A new cache entry: the stock build's entry holds every plugin.
  install_bin "$(cached coredns-cluster-plugins "${COREDNS_VERSION}-$(module_sum hack/tools/coredns)" build_coredns)" "${BIN}/coredns"
}

controller_gen() {
  install_bin "$(cached controller-gen "${CONTROLLER_GEN_VERSION}" go_install sigs.k8s.io/controller-tools/cmd/controller-gen "${CONTROLLER_GEN_VERSION}" -ldflags "-s -w")" "${BIN}/controller-gen"
}

helm() {
  install_bin "$(cached helm "${HELM_VERSION}" go_install helm.sh/helm/v3/cmd/helm "${HELM_VERSION}" -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}")" "${BIN}/helm"
}

# envtest (controller-runtime) needs exactly etcd and kube-apiserver in KUBEBUILDER_ASSETS.
envtest() {
  etcd "${BIN}/envtest/etcd"
  kubernetes_cmd kube-apiserver "${BIN}/envtest/kube-apiserver"
}

main() {
  local parts=("$@")
  (( ${#parts[@]} > 0 )) || parts=(debian kubernetes etcd coredns controller-gen helm envtest)
  local part
  for part in "${parts[@]}"; do
    case "${part}" in
      debian|kubernetes|etcd|coredns|controller-gen|helm|envtest) ;;
      *) log "unknown part '${part}'"; usage ;;
    esac
  done
  local start=${SECONDS}
  mkdir -p "${BIN}" "${TOOL_CACHE}"
  # Two builds of the same tool at once (say make test-envtest while a toolchain run is going)
  # would race on the cache; the second waits for the first and then finds everything built.
  exec 9>"${TOOL_CACHE}/.lock"
  flock 9
  local waited=$(( SECONDS - start ))
  (( waited == 0 )) || log "waited ${waited}s for another toolchain run to release ${TOOL_CACHE}/.lock"
  for part in "${parts[@]}"; do
    case "${part}" in
      debian) step "Debian packages" debian ;;
      kubernetes) check_go; kubernetes ;;
      etcd) check_go; step "etcd ${ETCD_VERSION}" etcd ;;
      coredns) check_go; step "CoreDNS ${COREDNS_VERSION}" coredns ;;
      controller-gen) check_go; step "controller-gen ${CONTROLLER_GEN_VERSION}" controller_gen ;;
      helm) check_go; step "helm ${HELM_VERSION}" helm ;;
      envtest) check_go; step "envtest assets (etcd + kube-apiserver) in bin/envtest" envtest ;;
    esac
  done
  # The total is what a first run costs; each step's own time is logged as it ends ("<== ... done in").
  log "toolchain (${parts[*]}) ready in $(( SECONDS - start ))s total ($(( SECONDS - start - waited ))s building/checking, ${waited}s waiting for the lock)"
}

main "$@"
