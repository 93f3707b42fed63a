// Package envtestenv is the one way an envtest suite starts its Kubernetes: a real
// kube-apiserver and etcd (controller-runtime's envtest) from KUBEBUILDER_ASSETS, which `make
// test-envtest` points at the binaries hack/toolchain.sh built, with the project's CRDs from
// config/crd/bases installed. A suite's TestMain calls Main; the suite then gets a client and a
// rest.Config whose scheme knows the core types and RedisFailover.
//
// Envtest test files carry the build tag `envtest` (see the Makefile), so a missing
// KUBEBUILDER_ASSETS is a mistake in how the tests were run, not a reason to skip: Main fails.
package envtestenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// AssetsVar names the directory holding the etcd and kube-apiserver binaries.
const AssetsVar = "KUBEBUILDER_ASSETS"

// Env is a running envtest control plane.
type Env struct {
	// Config reaches the API server as an administrator.
	Config *rest.Config
	// Scheme knows the Kubernetes core types and the project's API.
	Scheme *runtime.Scheme
	// Client is a direct (uncached) client on Config and Scheme.
	Client client.Client
	// Assets is the directory the binaries came from.
	Assets string

	env *envtest.Environment
}

// Start checks KUBEBUILDER_ASSETS, starts etcd and kube-apiserver from it and installs the CRDs.
// On error nothing is left running.
func Start() (*Env, error) {
	assets := os.Getenv(AssetsVar)
	if assets == "" {
		return nil, fmt.Errorf("%s is not set: run the envtest suites with `make test-envtest` (it builds bin/envtest with hack/toolchain.sh envtest)", AssetsVar)
	}
	for _, bin := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(assets, bin)); err != nil {
			return nil, fmt.Errorf("%s=%s has no %s (%w): run hack/toolchain.sh envtest", AssetsVar, assets, bin, err)
		}
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(redisv1alpha1.AddToScheme(scheme))
	env := &envtest.Environment{
		// Explicit, so that envtest never falls back to binaries found anywhere else.
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
		// kube-apiserver starts in 2 to 3 s on an idle 2-core machine but took more than
		// envtest's default 20 s with the machine loaded by parallel builds: the bound is for a
		// loaded machine, not a retry.
		ControlPlaneStartTimeout: 2 * time.Minute,
	}
	cfg, err := env.Start()
	if err != nil {
		// Start leaves etcd and kube-apiserver running when a later step (installing the CRDs,
		// where a CEL rule that does not compile fails) goes wrong; stop them so a failed run
		// leaves no orphans behind.
		return nil, errors.Join(fmt.Errorf("starting envtest from %s: %w", assets, err), env.Stop())
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("creating a client for envtest: %w", err), env.Stop())
	}
	return &Env{Config: cfg, Scheme: scheme, Client: c, Assets: assets, env: env}, nil
}

// Stop stops kube-apiserver and etcd.
func (e *Env) Stop() error {
	if err := e.env.Stop(); err != nil {
		return fmt.Errorf("stopping envtest: %w", err)
	}
	return nil
}

// Setup prepares a suite once the control plane runs (say, sets its client, starts a
// controller manager). The teardown it returns, if not nil, runs after the tests.
type Setup func(env *Env) (teardown func() error, err error)

// Main is a suite's TestMain: it starts the control plane, runs setup, runs the tests, tears
// down and stops the control plane, and exits with the tests' code, or 1 if anything around
// them failed.
func Main(m *testing.M, setup Setup) {
	os.Exit(run(m, setup))
}

func run(m *testing.M, setup Setup) (code int) {
	env, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}()
	teardown, err := setup(env)
	if err != nil {
		fmt.Fprintln(os.Stderr, "setting up the envtest suite:", err)
		return 1
	}
	code = m.Run()
	if teardown != nil {
		if err := teardown(); err != nil {
			fmt.Fprintln(os.Stderr, "tearing down the envtest suite:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// moduleRoot is the directory holding go.mod, found upwards from the test's working directory
// (go test runs each package in its own directory), so the CRD path does not depend on how deep
// the suite lives.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: envtest suites run inside the module", dir)
		}
	}
}
