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
# Packages whose tests need a real kube-apiserver + etcd (envtest); everything else is test-unit.
ENVTEST_PKGS := /controllers|/api/|/test/envtest

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

.PHONY: build
build: ## Build the static binaries into bin/
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/redis-failover ./cmd/redis-failover
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/redis-failover-sentinel ./cmd/redis-failover-sentinel

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs, RBAC and DeepCopy code with controller-gen
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...
	$(CONTROLLER_GEN) crd rbac:roleName=redis-failover-operator paths=./api/... paths=./controllers/... \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	hack/sync-chart-crds.sh

$(CONTROLLER_GEN):
	hack/toolchain.sh controller-gen

.PHONY: lint
lint: ## gofmt, go vet, and a check that generated files are current
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi
	go vet ./...

##@ Tests
.PHONY: test
# tools first: on a fresh machine it builds everything once (about 10 minutes); afterwards it takes seconds.
test: tools lint test-unit test-envtest test-e2e test-e2e-stock-sentinel ## Unit, envtest and end-to-end tests (builds the toolchain and brings the local cluster up if needed)

.PHONY: test-unit
test-unit: ## Unit and integration tests with real redis-server processes (no Kubernetes)
	hack/toolchain.sh debian
	go test $(GO_TEST_FLAGS) $$(go list ./... | grep -v -E '$(ENVTEST_PKGS)|/test/e2e')

.PHONY: test-envtest
test-envtest: ## Controller tests against a real kube-apiserver + etcd (envtest)
	hack/toolchain.sh envtest
	KUBEBUILDER_ASSETS=$(BIN)/envtest go test $(GO_TEST_FLAGS) $$(go list ./... | grep -E '$(ENVTEST_PKGS)')

.PHONY: test-e2e
test-e2e: ## End-to-end tests on the local single-node cluster
	hack/toolchain.sh
	hack/cluster-up.sh
	$(MAKE) images
	KUBECONFIG=$(KUBECONFIG_LOCAL) go test $(GO_TEST_FLAGS) -count=1 -timeout 30m ./test/e2e/...

.PHONY: test-e2e-stock-sentinel
test-e2e-stock-sentinel: ## The readiness and failover e2e tests with stock Redis Sentinel in the sentinel pods (--sentinel-implementation=redis-sentinel)
	hack/toolchain.sh
	hack/cluster-up.sh
	$(MAKE) images
	KUBECONFIG=$(KUBECONFIG_LOCAL) E2E_SENTINEL_IMPLEMENTATION=redis-sentinel go test $(GO_TEST_FLAGS) -count=1 -timeout 15m \
		-run 'TestRedisFailoverSampleBecomesReadyAndServes|TestMasterPodDeletedFailsOverAndRejoins' ./test/e2e/

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

.PHONY: bench-e2e
bench-e2e: ## Operations on the local cluster with the checking writer, ours beside stock redis-sentinel (ROWS=, RUNS=), table in docs/
	hack/bench-e2e.sh
