package envtest

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crenvtest "sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// TestEnvtestUsesBuiltControlPlane starts envtest from KUBEBUILDER_ASSETS and checks that the API
// server answering is the pinned Kubernetes version, and that it really stores and validates
// objects (a round trip through etcd, an optimistic-concurrency conflict).
func TestEnvtestUsesBuiltControlPlane(t *testing.T) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set; run `make test-envtest` (it builds bin/envtest with hack/toolchain.sh envtest)")
	}
	for _, bin := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(assets, bin)); err != nil {
			t.Fatalf("KUBEBUILDER_ASSETS=%s has no %s: %v; run hack/toolchain.sh envtest", assets, bin, err)
		}
	}

	env := &crenvtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest from %s: %v", assets, err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})

	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatalf("discovery client: %v", err)
	}
	version, err := dc.ServerVersion()
	if err != nil {
		t.Fatalf("server version: %v", err)
	}
	if want := framework.Setting(t, "KUBERNETES_VERSION"); version.GitVersion != want {
		t.Fatalf("envtest's kube-apiserver is %s, want the pinned %s (is KUBEBUILDER_ASSETS=%s the toolchain's?)", version.GitVersion, want, assets)
	}

	c, err := client.New(cfg, client.Options{Scheme: clientgoscheme.Scheme})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
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
