#!/usr/bin/env bash
# Runs every go test fuzz target in the module for a while each (FUZZTIME, default 30s).
# The targets are found, not listed, so a new Fuzz* function is fuzzed without editing this file.
# Their seed corpora already run as ordinary tests in `make test`; this is the open-ended search.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FUZZTIME="${FUZZTIME:-30s}"

targets=$(grep -rl --include='*_test.go' '^func Fuzz' . | sort)
[[ -n "${targets}" ]] || { echo "fuzz: no fuzz targets found" >&2; exit 1; }
for file in ${targets}; do
  pkg="./$(dirname "${file#./}")"
  for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "${file}"); do
    echo "==> ${pkg} ${name} for ${FUZZTIME}"
    start=$(date +%s)
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "${FUZZTIME}" "${pkg}"
    echo "<== ${name} done in $(( $(date +%s) - start ))s"
  done
done
