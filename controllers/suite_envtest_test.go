//go:build envtest

package controllers_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/failover-dev/redis-failover-operator/controllers"
	"github.com/failover-dev/redis-failover-operator/internal/envtestenv"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

// The controller runs against a real kube-apiserver and etcd (envtest). There is no kubelet,
// so no pod ever runs: the status must say so truthfully. There is no garbage collector either,
// so cleanup on deletion is covered by the end-to-end tests on the local cluster.
var k8s client.Client

const sentinelImage = "localhost/redis-failover-operator:test"

func TestMain(m *testing.M) {
	ctrl.SetLogger(zap.New(zap.UseDevMode(true), zap.WriteTo(os.Stderr)))
	envtestenv.Main(m, startManager)
}

// startManager runs the reconciler in a manager against envtest, as the operator runs it.
func startManager(env *envtestenv.Env) (func() error, error) {
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:                 env.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return nil, fmt.Errorf("creating manager: %w", err)
	}
	r := &controllers.RedisFailoverReconciler{
		Client:       mgr.GetClient(),
		APIReader:    mgr.GetAPIReader(),
		Recorder:     mgr.GetEventRecorder("redis-failover-operator"),
		Render:       render.Options{SentinelImage: sentinelImage},
		RedisTimeout: 200 * time.Millisecond,
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the controller: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	// Tests read through a direct client: what the API server holds, not the manager's cache.
	k8s = env.Client
	return func() error {
		cancel()
		if err := <-done; err != nil {
			return fmt.Errorf("manager: %w", err)
		}
		return nil
	}, nil
}

// newNamespace creates a namespace of its own for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rf-test-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
