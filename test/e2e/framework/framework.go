package framework

import (
	"fmt"
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Framework is the handle e2e tests use to reach the cluster.
type Framework struct {
	// Client reads and writes objects; its scheme holds the built-in types plus whatever was
	// added with WithScheme.
	Client client.Client
	// Clientset is there for subresources controller-runtime does not cover (exec, logs).
	Clientset kubernetes.Interface
	// RESTConfig is the configuration both clients were made from.
	RESTConfig *rest.Config
	// Scheme is Client's scheme.
	Scheme *runtime.Scheme

	// dumpStatusOf are the kinds whose objects' status DumpNamespace shows.
	dumpStatusOf []schema.GroupVersionKind
}

// Option changes how New builds the Framework.
type Option func(*options)

type options struct {
	addToScheme  []func(*runtime.Scheme) error
	dumpStatusOf []schema.GroupVersionKind
}

// WithDumpedStatus makes DumpNamespace show the status of every object of these kinds (a
// project's own resources, whose conditions say what its controller was waiting for).
func WithDumpedStatus(kinds ...schema.GroupVersionKind) Option {
	return func(o *options) { o.dumpStatusOf = append(o.dumpStatusOf, kinds...) }
}

// WithScheme registers more types (a project API group's AddToScheme) with the client.
func WithScheme(addToScheme func(*runtime.Scheme) error) Option {
	return func(o *options) { o.addToScheme = append(o.addToScheme, addToScheme) }
}

// New connects to the cluster named by $KUBECONFIG. $KUBECONFIG is required on purpose: falling
// back to ~/.kube/config could point the suite at a cluster that is not the local test bed.
// A missing or unreachable cluster fails the test (it is not skipped): `make test-e2e` brings the
// cluster up first, so an absent cluster is a broken test bed, not a reason to pass.
func New(t testing.TB, opts ...Option) *Framework {
	t.Helper()
	f, err := newFramework(opts...)
	if err != nil {
		t.Fatalf("e2e framework: %v", err)
	}
	return f
}

func newFramework(opts ...Option) (*Framework, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	path := os.Getenv("KUBECONFIG")
	if path == "" {
		return nil, fmt.Errorf("KUBECONFIG is not set; run the suite with `make test-e2e`, or `make cluster-up` and export KUBECONFIG=.local/cluster/kubeconfig")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig %s: %w", path, err)
	}
	// The suite creates and polls many objects at once; the client-side default (5 qps) would
	// make waits slower than the cluster.
	cfg.QPS, cfg.Burst = 50, 100

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, fmt.Errorf("adding built-in types to the scheme: %w", err)
	}
	for _, add := range o.addToScheme {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("adding types to the scheme: %w", err)
		}
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("creating client for %s: %w", cfg.Host, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating clientset for %s: %w", cfg.Host, err)
	}
	if _, err := cs.Discovery().ServerVersion(); err != nil {
		return nil, fmt.Errorf("cluster at %s (from %s) does not answer; is it up? (make cluster-up): %w", cfg.Host, path, err)
	}
	return &Framework{Client: c, Clientset: cs, RESTConfig: cfg, Scheme: scheme, dumpStatusOf: o.dumpStatusOf}, nil
}
