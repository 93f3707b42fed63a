#!/usr/bin/env bash
# Installs the Node.js Redis clients (ioredis, node-redis) that the client soak and the e2e test
# of docs/clients.md run, exactly as test/soak/clients/package-lock.json locks them (npm ci from
# the npm registry). node_modules keeps a copy of the lock it was installed from, so an unchanged
# lock is not installed again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in node npm; do
	if ! command -v "$tool" >/dev/null; then
		echo "node-clients: $tool is missing; the Node.js clients need Node.js >= 18 with npm" >&2
		exit 1
	fi
done
clients=test/soak/clients
if ! cmp -s "$clients/package-lock.json" "$clients/node_modules/.installed-from-lock.json"; then
	npm ci --prefix "$clients" --no-audit --no-fund --loglevel=error
	cp "$clients/package-lock.json" "$clients/node_modules/.installed-from-lock.json"
fi
