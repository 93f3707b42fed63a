#!/usr/bin/env bash
# Copies the generated CRDs into the Helm chart as templates, not into the chart's crds/ directory:
# Helm installs crds/ once and never upgrades it (spotahome #527, #654, #679), while templates are
# upgraded with every release. Run by `make manifests`; a no-op until the chart exists.
set -euo pipefail
cd "$(dirname "$0")/.."

src=config/crd/bases
chart=charts/redis-failover-operator
dest=$chart/templates/crds

if [[ ! -f $chart/Chart.yaml ]]; then
	echo "sync-chart-crds: $chart/Chart.yaml not found yet; skipping"
	exit 0
fi

mkdir -p "$dest"
# Remove CRDs that no longer exist in the source, then copy the current ones.
for f in "$dest"/*.yaml; do
	[[ -e $f ]] || continue
	[[ -e $src/$(basename "$f") ]] || rm -f "$f"
done
for f in "$src"/*.yaml; do
	# Helm renders templates/, so a CRD must not contain template delimiters.
	if grep -q '{{' "$f"; then
		echo "sync-chart-crds: $f contains '{{', which Helm would treat as a template" >&2
		exit 1
	fi
	# keep: uninstalling the chart must not delete the CRD and with it every RedisFailover.
	sed -e '/^  annotations:$/a\    helm.sh/resource-policy: keep' "$f" >"$dest/$(basename "$f")"
done
echo "sync-chart-crds: copied $(ls "$src"/*.yaml | wc -l) CRD(s) into $dest"
