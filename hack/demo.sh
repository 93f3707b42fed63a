#!/usr/bin/env bash
# The demo, first part: bring the local cluster up, load the images, and show what runs.
# (Deploying the operator and a live RedisFailover is added on top of this.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${REPO}/hack/lib/cluster.sh"

step "toolchain" "${REPO}/hack/toolchain.sh"
step "cluster-up" "${REPO}/hack/cluster-up.sh"
step "make build" make -C "${REPO}" build
step "images" "${REPO}/hack/images.sh"
kubectl_local get nodes -o wide
kubectl_local get pods -A -o wide
log "images on the node:"
ctr --address "${STATE}/containerd/containerd.sock" --namespace k8s.io images ls -q | grep -v '^sha256:'
