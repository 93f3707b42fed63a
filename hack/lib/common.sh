# shellcheck shell=bash disable=SC2034
# Shared by every hack/*.sh script: repository paths, pinned versions, logging, timed steps.
# Source it; it does not change shell options of the caller except where noted.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${REPO}/bin"
# shellcheck source=../versions.env
source "${REPO}/hack/versions.env"
# Built binaries are kept outside the clone so that a fresh CI clone on the same machine links them
# instead of rebuilding Kubernetes (about 9 minutes on 2 cores).
TOOL_CACHE="${RFO_TOOL_CACHE:-${HOME}/.cache/redis-failover-operator}"

log()  { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
warn() { printf '%s WARNING: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die()  { printf '%s ERROR: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

# step NAME CMD...: runs CMD, printing the step's name and how long it took; a failing CMD fails
# the script with the step named, so a long log ends with the part that broke. CMD runs as part
# of an || list, where bash ignores set -e: a shell function given to step must end itself on a
# failing command (|| return), or the step sees only its last command's status.
step() {
  local name="$1"; shift
  local start rc=0
  start=$(date +%s.%N)
  log "==> ${name}"
  "$@" || rc=$?
  local took
  took=$(awk -v s="${start}" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  if (( rc != 0 )); then
    die "step '${name}' failed (exit ${rc}) after ${took}s"
  fi
  log "<== ${name} done in ${took}s"
}

need_root() {
  [[ ${EUID} -eq 0 ]] || die "$1 needs root (it manages network interfaces, iptables and mounts); run it as root"
}
