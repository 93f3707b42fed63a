#!/usr/bin/env bash
# The project's image is built two ways: by the Dockerfile (users with a registry) and by
# hack/lib/images.sh's image_operator (the local test bed, no Docker). Checks that both lay it out
# the same: the same binaries in the same directory, the same user and the same entrypoint, and
# that the chart and config/manager run it as that user. Run by make lint (verify-image-layout).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
	echo "verify-image-layout: $*" >&2
	exit 1
}

# ---- the Dockerfile's final stage ----
final=$(awk '/^FROM /{ stage = "" } { stage = stage $0 "\n" } END { printf "%s", stage }' Dockerfile)
copy=$(grep -E '^COPY --from=' <<<"${final}") || fail "the Dockerfile's final stage has no COPY --from line"
read -r -a copy_words <<<"${copy}"
docker_dir=${copy_words[-1]%/}
docker_bins=$(for w in "${copy_words[@]:2:${#copy_words[@]}-3}"; do basename "${w}"; done | sort | tr '\n' ' ')
docker_user=$(sed -n 's/^USER //p' <<<"${final}")
docker_entrypoint=$(sed -n 's/^ENTRYPOINT //p' <<<"${final}" | jq -c .)

# ---- hack/lib/images.sh's image_operator ----
body=$(sed -n '/^image_operator() {/,/^}/p' hack/lib/images.sh)
[[ -n "${body}" ]] || fail "hack/lib/images.sh has no image_operator function"
cp_line=$(grep -E '^\s*cp "\$\{BIN\}/' <<<"${body}") || fail "image_operator copies no binary from \${BIN}"
read -r -a cp_words <<<"${cp_line}"
local_dir=${cp_words[-1]//\"/}
local_dir=${local_dir#\$\{rootfs\}}
local_dir=${local_dir%/}
local_bins=$(for w in "${cp_words[@]:1:${#cp_words[@]}-2}"; do w=${w//\"/}; basename "${w}"; done | sort | tr '\n' ' ')
config=$(perl -0ne "print \$1 if /image_load \"\\\$\{OPERATOR_IMAGE\}\" \"\\\$\{rootfs\}\" \\\\\s*'(\{.*?\})'/s" <<<"${body}")
[[ -n "${config}" ]] || fail "cannot find image_operator's image config (image_load \"\${OPERATOR_IMAGE}\" \"\${rootfs}\" '{...}')"
local_user=$(jq -r .User <<<"${config}")
local_entrypoint=$(jq -c .Entrypoint <<<"${config}")

[[ "${docker_dir}" == "${local_dir}" ]] || fail "binaries go to ${docker_dir} in the Dockerfile, to ${local_dir} in images.sh"
[[ "${docker_bins}" == "${local_bins}" ]] || fail "the Dockerfile ships [${docker_bins% }], images.sh [${local_bins% }]"
[[ "${docker_user}" == "${local_user}" ]] || fail "the Dockerfile runs as ${docker_user}, images.sh as ${local_user}"
[[ "${docker_entrypoint}" == "${local_entrypoint}" ]] || fail "the Dockerfile's entrypoint is ${docker_entrypoint}, images.sh's ${local_entrypoint}"
entry_bin=$(jq -r '.[0]' <<<"${docker_entrypoint}")
[[ " ${docker_bins}" == *" $(basename "${entry_bin}") "* && "$(dirname "${entry_bin}")" == "${docker_dir}" ]] ||
	fail "the entrypoint ${entry_bin} is not one of the shipped binaries (${docker_dir}: ${docker_bins% })"

# ---- the manifests run the operator as that user ----
uid=${docker_user%%:*}
gid=${docker_user##*:}
for f in charts/redis-failover-operator/templates/deployment.yaml config/manager/manager.yaml; do
	if ! grep -qE "^\s+runAsUser: ${uid}$" "${f}" || ! grep -qE "^\s+runAsGroup: ${gid}$" "${f}"; then
		fail "${f} does not run the operator as ${uid}:${gid}, the image's user"
	fi
done
echo "verify-image-layout: Dockerfile and images.sh agree: ${docker_bins% } in ${docker_dir}, user ${docker_user}, entrypoint ${docker_entrypoint}"
