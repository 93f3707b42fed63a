#!/usr/bin/env bash
# The project (go.mod) and the module the toolchain builds Kubernetes from (hack/tools/k8s) must
# require the same version of every module both use. Go's build cache is keyed on a package's
# sources and on everything it imports, so one module at another version (x/sys, say) makes
# go vet and go test compile client-go, api and apimachinery a second time on a cold machine,
# instead of reusing what the toolchain's build left in the cache. Run by make lint.
set -euo pipefail
cd "$(dirname "$0")/.."

# versions DIR: "MODULE VERSION" for every module DIR's go.mod requires, after its replaces.
versions() {
	(cd "$1" && go mod edit -json) | jq -r '
		(.Replace // [] | map(select(.New.Version != null) | {key: .Old.Path, value: .New.Version}) | from_entries) as $r
		| .Require // [] | .[] | "\(.Path) \($r[.Path] // .Version)"' | sort
}

# A -trimpath build's cache key names a module by the version go.mod requires, not by the one a
# replace directive puts in its place: the staging modules hack/tools/k8s replaces must be
# required at their replacement's version, or even an identical version compiles twice.
unmatched=$(cd hack/tools/k8s && go mod edit -json | jq -r '
	(.Require // [] | map({key: .Path, value: .Version}) | from_entries) as $req
	| .Replace // [] | .[] | select(.New.Version != null and $req[.Old.Path] != null and $req[.Old.Path] != .New.Version)
	| "\(.Old.Path) \($req[.Old.Path]) \(.New.Version)"')
if [[ -n "${unmatched}" ]]; then
	echo "verify-shared-deps: hack/tools/k8s/go.mod requires replaced modules at other versions than their replacements:" >&2
	while read -r mod required replacement; do
		echo "  ${mod}: required at ${required}, replaced by ${replacement}; run: (cd hack/tools/k8s && go mod edit -require=${mod}@${replacement} && go mod tidy)" >&2
	done <<<"${unmatched}"
	exit 1
fi

bad=$(join <(versions .) <(versions hack/tools/k8s) | awk '$2 != $3')
if [[ -n "${bad}" ]]; then
	echo "verify-shared-deps: go.mod and hack/tools/k8s/go.mod require different versions of modules both use:" >&2
	while read -r mod project tools; do
		echo "  ${mod}: ${project} in go.mod, ${tools} in hack/tools/k8s/go.mod" >&2
	done <<<"${bad}"
	echo "raise the lower one to the higher: (cd DIR && go get MODULE@VERSION && go mod tidy);" >&2
	echo "the Kubernetes staging modules (k8s.io/api, client-go, ...) follow KUBERNETES_STAGING_VERSION in hack/versions.env" >&2
	exit 1
fi
echo "verify-shared-deps: go.mod and hack/tools/k8s/go.mod agree on the $(join <(versions .) <(versions hack/tools/k8s) | wc -l) modules both require"
