# redis-failover-operator. `make help` lists the targets.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
.DEFAULT_GOAL := help

include hack/versions.env
export

ROOT        := $(CURDIR)
BIN         := $(ROOT)/bin
LOCAL       := $(ROOT)/.local
KUBECONFIG_LOCAL := $(LOCAL)/cluster/kubeconfig
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X github.com/failover-dev/redis-failover-operator/internal/version.Version=$(VERSION)
GO_TEST_FLAGS ?=
# Every Go build here, go vet and go test included, is static and -trimpath like the toolchain's
# builds of Kubernetes, etcd and CoreDNS (hack/toolchain.sh). With the same settings and the same
# module versions (hack/verify-shared-deps.sh) they reuse the Kubernetes libraries the toolchain
# left compiled in Go's build cache: on a cold machine, client-go, api and apimachinery compile
# once instead of twice. (The sentinel's race-checked test build turns cgo back on for itself.)
CGO_ENABLED ?= 0
GOFLAGS := $(strip $(filter-out -trimpath,$(GOFLAGS)) -trimpath)
# Tests that need a real kube-apiserver + etcd live in *_envtest_test.go files behind the build
# tag `envtest`; ENVTEST_PKGS are the packages holding such files, found from the tag itself so a
# new envtest file can never be left out. The split is by tag, not by package:
#   test-unit    runs every package but test/e2e WITHOUT the tag: all pure tests, including the
#                ones in api/v1alpha1 and controllers, with no envtest assets needed.
#   test-envtest runs ENVTEST_PKGS WITH the tag: their envtest tests, and their few pure tests a
#                second time (milliseconds) because a tagged build includes the untagged files.
#   test-e2e     runs test/e2e only.
# So `make test` runs every test at least once, and only those cheap pure tests twice.
ENVTEST_PKGS = $(sort $(patsubst %/,./%,$(dir $(shell git grep -l -E '^//go:build envtest$$' -- '*_test.go'))))

CONTROLLER_GEN := $(BIN)/controller-gen
KUBECTL        := $(BIN)/kubectl
HELM           := $(BIN)/helm

##@ General
.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development
.PHONY: tools
tools: ## Build/install every tool the project needs into bin/ (idempotent, cached)
	hack/toolchain.sh

.PHONY: build-arm64
# Not part of make lint or make test: on a cold machine it compiles the standard library and every
# dependency a second time, for arm64, and nothing the project ships or tests runs on arm64.
build-arm64: ## Cross-compile every command for linux/arm64 (a build check; nothing is kept)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -ldflags '$(LDFLAGS)' ./cmd/...

.PHONY: build
build: ## Build the static binaries into bin/
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/redis-failover ./cmd/redis-failover
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/redis-failover-sentinel ./cmd/redis-failover-sentinel

.PHONY: manifests
# hack/verify-generated.sh (make lint) repeats these steps in a scratch copy: keep them in step.
manifests: $(CONTROLLER_GEN) ## Generate CRDs, RBAC, DeepCopy code, the chart's CRD copy and docs/crd-reference.md
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...
	$(CONTROLLER_GEN) crd rbac:roleName=redis-failover-operator paths=./api/... paths=./controllers/... \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	hack/sync-chart-crds.sh
	go run ./hack/crd-docs config/crd/bases/redis.failover.dev_redisfailovers.yaml docs/crd-reference.md

$(CONTROLLER_GEN):
	hack/toolchain.sh controller-gen

$(HELM):
	hack/toolchain.sh helm

$(KUBECTL):
	hack/toolchain.sh kubernetes

.PHONY: lint-chart
lint-chart: $(HELM) ## helm lint the chart (default and namespace-scoped values) and shellcheck its test script
	$(HELM) lint --strict charts/redis-failover-operator
	$(HELM) lint --strict charts/redis-failover-operator --set watchNamespace=apps --set dashboard.enabled=true --set tests.redisFailover.name=cache
	shellcheck charts/redis-failover-operator/files/*.sh

.PHONY: verify-image-layout
verify-image-layout: ## The Dockerfile's final stage and hack/lib/images.sh build the same image layout
	hack/verify-image-layout.sh

# Shell the pods run (embedded into the ConfigMaps) is held to every shellcheck check; the hack/
# scripts to warnings and errors, following the files they source.
POD_SCRIPTS := $(wildcard internal/render/scripts/*.sh)

.PHONY: lint
lint: $(CONTROLLER_GEN) ## gofmt, go vet, shellcheck, and a check that `make manifests` would change nothing
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi
	go vet ./...
	go vet -tags envtest ./...
	@bad=$$(go list -deps -test -f '{{$$p := .ImportPath}}{{range .Imports}}{{$$p}} imports {{.}}{{"\n"}}{{end}}' ./internal/topology | \
		grep -E '^github\.com/failover-dev/redis-failover-operator/\S+( \[\S+\])? imports (k8s\.io|sigs\.k8s\.io|github\.com/redis/go-redis|github\.com/failover-dev/redis-failover-operator/internal/redis)(/| |$$)' | \
		grep -v '^github\.com/failover-dev/redis-failover-operator/internal/redis' | sort -u || true); \
	if [ -n "$$bad" ]; then echo "internal/topology must stay pure: it may import neither a Redis client nor any Kubernetes package (do the I/O in controllers/ and convert to topology's types); offending imports:"; echo "$$bad"; exit 1; fi
	@command -v shellcheck >/dev/null || hack/toolchain.sh debian
	shellcheck $(POD_SCRIPTS)
	shellcheck -x -S warning hack/*.sh hack/lib/*.sh
	hack/verify-generated.sh $(CONTROLLER_GEN)
	hack/verify-shared-deps.sh
	$(MAKE) test-alerts lint-chart verify-image-layout

##@ Tests
.PHONY: test
# tools first: on a fresh machine it builds everything once (long: the README gives measured times); afterwards seconds.
test: tools lint test-unit test-soak test-envtest test-e2e ## Unit, envtest, client soak (short) and end-to-end tests (builds the toolchain and brings the local cluster up if needed)

.PHONY: test-alerts
test-alerts: ## promtool check rules + promtool test rules: the chart's alerts against test/alerts/
	@command -v promtool >/dev/null || hack/toolchain.sh debian
	promtool check rules charts/redis-failover-operator/files/prometheus-rules.yaml
	promtool test rules test/alerts/*_test.yaml

.PHONY: test-unit
test-unit: ## Unit and integration tests with real redis-server processes (no Kubernetes)
	hack/toolchain.sh debian helm kubernetes
	go test $(GO_TEST_FLAGS) $$(go list ./... | grep -v -E '/test/e2e(/|$$)')

.PHONY: test-soak
test-soak: build ## Short client soak (2 kills per sentinel); fails on a stall or a lost write with our sentinel
	hack/toolchain.sh debian
	SOAK_KILLS=2 SOAK_OUT= SOAK_ARGS=-check hack/soak-clients.sh

.PHONY: test-envtest
test-envtest: ## Controller tests against a real kube-apiserver + etcd (envtest)
	hack/toolchain.sh envtest
	KUBEBUILDER_ASSETS=$(BIN)/envtest go test -tags envtest $(GO_TEST_FLAGS) $(ENVTEST_PKGS)

.PHONY: test-e2e
test-e2e: ## End-to-end tests on the local single-node cluster
	hack/toolchain.sh
	hack/cluster-up.sh
	$(MAKE) images
	hack/node-clients.sh
	KUBECONFIG=$(KUBECONFIG_LOCAL) E2E_CONTAINERD_ADDRESS=$(LOCAL)/cluster/containerd/containerd.sock go test $(GO_TEST_FLAGS) -count=1 -timeout 30m $$(go list ./test/e2e/... | grep -v /test/e2e/lifecycle)
	$(MAKE) test-e2e-lifecycle

.PHONY: test-e2e-lifecycle
# Alone and last: it installs, upgrades and removes the operator the other e2e tests use.
test-e2e-lifecycle: ## The operator's own life on the local cluster: quick start as written, chart dry-run, helm test/upgrade/uninstall, kustomize, alerts in a real Prometheus
	hack/toolchain.sh
	hack/cluster-up.sh
	$(MAKE) images
	KUBECONFIG=$(KUBECONFIG_LOCAL) E2E_CONTAINERD_ADDRESS=$(LOCAL)/cluster/containerd/containerd.sock go test $(GO_TEST_FLAGS) -count=1 -p 1 -timeout 30m ./test/e2e/lifecycle/

.PHONY: test-e2e-stock-sentinel
test-e2e-stock-sentinel: ## The readiness and failover e2e tests with stock Redis Sentinel in the sentinel pods (--sentinel-implementation=redis-sentinel)
	hack/toolchain.sh
	hack/cluster-up.sh
	$(MAKE) images
	KUBECONFIG=$(KUBECONFIG_LOCAL) E2E_SENTINEL_IMPLEMENTATION=redis-sentinel go test $(GO_TEST_FLAGS) -count=1 -timeout 15m \
		-run 'TestRedisFailoverSampleBecomesReadyAndServes|TestMasterPodDeletedFailsOverAndRejoins' ./test/e2e/

.PHONY: test-testbed
test-testbed: ## Only the local cluster's self-checks (isolation, DNS); make test-e2e runs them too
	hack/toolchain.sh
	hack/cluster-up.sh
	$(MAKE) images
	KUBECONFIG=$(KUBECONFIG_LOCAL) go test $(GO_TEST_FLAGS) -count=1 -timeout 10m ./test/e2e/testbed/...

.PHONY: fuzz
fuzz: ## Run each fuzz target for a short while
	hack/fuzz.sh

##@ Local cluster
.PHONY: cluster-up
cluster-up: ## Start the local single-node Kubernetes (idempotent)
	hack/cluster-up.sh

.PHONY: cluster-down
cluster-down: ## Stop the local cluster and restore the host
	hack/cluster-down.sh

.PHONY: images
images: build ## Pack the project image (and the Redis image if missing) and load them into the node
	hack/images.sh

.PHONY: demo
demo: ## The main job: local cluster + operator + a live RedisFailover
	hack/demo.sh

##@ Benchmarks
.PHONY: bench
bench: bench-sentinel bench-e2e ## All benchmarks (results under docs/)

.PHONY: bench-sentinel
bench-sentinel: build ## Our sentinel vs Debian's redis-sentinel 7.0.15, same run, table in docs/
	hack/toolchain.sh debian
	hack/bench-sentinel.sh

.PHONY: soak-clients
soak-clients: build ## go-redis, redis-py, ioredis, node-redis through SOAK_KILLS (50) master kills, ours beside redis-sentinel 7.0.15; table in docs/
	hack/toolchain.sh debian
	hack/soak-clients.sh

.PHONY: bench-e2e
bench-e2e: ## Operations on the local cluster with the checking writer, ours beside stock redis-sentinel (ROWS=, RUNS=), table in docs/
	hack/bench-e2e.sh
