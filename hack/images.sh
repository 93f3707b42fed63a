#!/usr/bin/env bash
# Loads the images the local cluster runs into its node's containerd, without any registry:
#   - the project's image (OPERATOR_IMAGE) from bin/redis-failover and bin/redis-failover-sentinel
#     (`make images` runs `make build` first), every time: this is the quick reload after a change;
#   - the e2e tests' webhook receiver (WEBHOOK_RECEIVER_IMAGE), every time, like the project's;
#   - the Redis image (REDIS_IMAGE, Debian's redis-server) and the pause and CoreDNS images only
#     when the node does not have them (--all rebuilds them too).
# usage: hack/images.sh [--all]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${REPO}/hack/lib/cluster.sh"
source "${REPO}/hack/lib/images.sh"

main() {
  local all=""
  case "${1:-}" in
    "") ;;
    --all) all=1 ;;
    *) die "unknown argument '$1'; usage: hack/images.sh [--all]" ;;
  esac
  containerd_running || die "the local node's containerd is not running (${CONTAINERD_SOCK}); run: make cluster-up"
  mkdir -p "${IMAGES_WORK}"
  local start=${SECONDS}
  step "project image ${OPERATOR_IMAGE}" image_operator
  step "e2e webhook receiver ${WEBHOOK_RECEIVER_IMAGE}" image_webhook_receiver
  if [[ -n "${all}" ]]; then
    step "Redis image ${REDIS_IMAGE}" image_redis
    step "pause image ${PAUSE_IMAGE}" image_pause
    step "CoreDNS image ${COREDNS_IMAGE}" image_coredns
  else
    step "Redis image ${REDIS_IMAGE}" ensure_image "${REDIS_IMAGE}" image_redis
    step "pause image ${PAUSE_IMAGE}" ensure_image "${PAUSE_IMAGE}" image_pause
    step "CoreDNS image ${COREDNS_IMAGE}" ensure_image "${COREDNS_IMAGE}" image_coredns
  fi
  log "images ready in $(( SECONDS - start ))s"
}

main "$@"
