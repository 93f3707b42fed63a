//go:build envtest

package envtest

import (
	"os"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/envtestenv"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

var env *envtestenv.Env

// The control plane comes from envtestenv, the bootstrap every envtest suite uses, so this test
// proves what all of them run against.
func TestMain(m *testing.M) {
	envtestenv.Main(m, func(e *envtestenv.Env) (func() error, error) {
		env = e
		return nil, nil
	})
}

// TestEnvtestUsesBuiltControlPlane checks that the API server answering is the pinned
// Kubernetes version started from KUBEBUILDER_ASSETS, that the project's CRD is installed, and
// that it really stores and validates objects (a round trip through etcd, an
// optimistic-concurrency conflict).
func TestEnvtestUsesBuiltControlPlane(t *testing.T) {
	if assets := os.Getenv(envtestenv.AssetsVar); env.Assets != assets {
		t.Fatalf("envtest started from %q, want KUBEBUILDER_ASSETS=%q", env.Assets, assets)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(env.Config)
	if err != nil {
		t.Fatalf("discovery client: %v", err)
	}
	version, err := dc.ServerVersion()
	if err != nil {
		t.Fatalf("server version: %v", err)
	}
	if want := framework.Setting(t, "KUBERNETES_VERSION"); version.GitVersion != want {
		t.Fatalf("envtest's kube-apiserver is %s, want the pinned %s (is KUBEBUILDER_ASSETS=%s the toolchain's?)", version.GitVersion, want, env.Assets)
	}
	gv := redisv1alpha1.GroupVersion.String()
	resources, err := dc.ServerResourcesForGroupVersion(gv)
	if err != nil {
		t.Fatalf("the API server does not serve %s (CRDs from config/crd/bases not installed?): %v", gv, err)
	}
	if !slices.ContainsFunc(resources.APIResources, func(r metav1.APIResource) bool { return r.Name == "redisfailovers" }) {
		t.Fatalf("%s serves %v, want redisfailovers", gv, resources.APIResources)
	}

	c := env.Client
	ctx := t.Context()
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "envtest-proof"},
		Data:       map[string]string{"k": "v1"},
	}
	if err := c.Create(ctx, cm); err != nil {
		t.Fatalf("creating configmap: %v", err)
	}
	var got corev1.ConfigMap
	if err := c.Get(ctx, client.ObjectKeyFromObject(cm), &got); err != nil {
		t.Fatalf("reading configmap back: %v", err)
	}
	if got.Data["k"] != "v1" || got.UID == "" {
		t.Fatalf("configmap read back as %v (uid %q), want data k=v1 and a server-assigned uid", got.Data, got.UID)
	}

	// An update from a stale copy must be refused: only a real API server with etcd behind it
	// tracks resource versions this way.
	got.Data["k"] = "v2"
	if err := c.Update(ctx, &got); err != nil {
		t.Fatalf("updating configmap: %v", err)
	}
	cm.Data["k"] = "stale"
	if err := c.Update(ctx, cm); !apierrors.IsConflict(err) {
		t.Fatalf("update from a stale copy returned %v, want a conflict", err)
	}
}
