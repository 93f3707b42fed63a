# shellcheck shell=bash
# Installing the operator on the local cluster with its Helm chart, as users do. Shared by
# hack/demo.sh and hack/bench-e2e.sh. Requires lib/common.sh and lib/cluster.sh.

OPERATOR_NAMESPACE=redis-failover-system
OPERATOR_RELEASE=redis-failover-operator

# install_operator [SENTINEL_IMPLEMENTATION]: install or upgrade the chart and wait for the
# rollout. The chart carries the CRD as a template, so this also upgrades it. The annotation
# restarts the operator, so that it runs the image hack/images.sh just loaded under the same tag.
# SENTINEL_IMPLEMENTATION is the chart's sentinelImplementation (default redis-failover).
install_operator() {
  local impl="${1:-redis-failover}"
  "${BIN}/helm" --kubeconfig "${KUBECONFIG_LOCAL}" upgrade --install "${OPERATOR_RELEASE}" \
    "${REPO}/charts/redis-failover-operator" --namespace "${OPERATOR_NAMESPACE}" --create-namespace \
    --set "image.repository=${OPERATOR_IMAGE%:*}" --set "image.tag=${OPERATOR_IMAGE##*:}" \
    --set "sentinelImplementation=${impl}" \
    --set-string "podAnnotations.run=$(date +%s%N)" --wait --timeout 3m || return
  kubectl_local --namespace "${OPERATOR_NAMESPACE}" rollout status "deployment/${OPERATOR_RELEASE}" --timeout 2m
}
