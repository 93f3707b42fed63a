//go:build envtest

package v1alpha1_test

// These tests install the generated CRD into a real kube-apiserver and etcd (envtest) and check
// what the API server does with RedisFailovers: the defaults it applies, the specs it refuses
// and the messages it refuses them with, the status subresource and the printer columns.

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/internal/envtestenv"
)

var (
	k8s     client.Client
	restCfg *rest.Config
)

func TestMain(m *testing.M) {
	envtestenv.Main(m, func(env *envtestenv.Env) (func() error, error) {
		k8s, restCfg = env.Client, env.Config
		return nil, nil
	})
}

// newNamespace creates a namespace of its own for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rf-api-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
