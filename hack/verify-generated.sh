#!/usr/bin/env bash
# Fails, naming the files, when the generated code and manifests in the working tree are not what
# `make manifests` would produce: DeepCopy code, CRDs, RBAC, the chart's CRD copy and the CRD
# reference (docs/crd-reference.md). It runs the same generators on a copy of the tracked files in
# a scratch directory, so the tree itself is never touched. Run by `make lint`.
# usage: hack/verify-generated.sh CONTROLLER_GEN
set -euo pipefail
cd "$(dirname "$0")/.."
controller_gen=$(realpath "$1")

scratch=$(mktemp -d)
trap 'rm -rf "${scratch}"' EXIT
# The working tree's version of every tracked file (uncommitted edits included).
git ls-files -z --cached | while IFS= read -r -d '' f; do
  [[ -e $f ]] && printf '%s\0' "$f"
done | xargs -0 cp --parents -t "${scratch}"

generated=(config/crd/bases config/rbac charts/redis-failover-operator/templates/crds docs/crd-reference.md)
(
  cd "${scratch}"
  # Generated outputs are removed first so that a stale file the generators no longer write shows
  # up too. These are the manifests target's steps; keep them in step with the Makefile.
  rm -f config/crd/bases/*.yaml config/rbac/role.yaml api/*/zz_generated.deepcopy.go docs/crd-reference.md
  "${controller_gen}" object:headerFile=hack/boilerplate.go.txt paths=./api/...
  "${controller_gen}" crd rbac:roleName=redis-failover-operator paths=./api/... paths=./controllers/... \
    output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
  hack/sync-chart-crds.sh >/dev/null
  go run ./hack/crd-docs config/crd/bases/redis.failover.dev_redisfailovers.yaml docs/crd-reference.md
)

stale=()
# Every file either side holds in the generated directories, plus the DeepCopy files.
while IFS= read -r f; do
  if [[ ! -e ${scratch}/$f ]]; then
    stale+=("$f (no longer generated)")
  elif [[ ! -e $f ]]; then
    stale+=("$f (missing)")
  elif ! cmp -s "$f" "${scratch}/$f"; then
    stale+=("$f")
  fi
done < <(
  {
    for d in "${generated[@]}"; do
      (cd "${scratch}" && find "$d" -type f 2>/dev/null)
      find "$d" -type f 2>/dev/null
    done
    (cd "${scratch}" && ls api/*/zz_generated.deepcopy.go 2>/dev/null)
    ls api/*/zz_generated.deepcopy.go 2>/dev/null
  } | sort -u
)
if (( ${#stale[@]} > 0 )); then
  echo "generated files are stale; run 'make manifests' and commit the result:" >&2
  printf '  %s\n' "${stale[@]}" >&2
  exit 1
fi
echo "generated files are current"
