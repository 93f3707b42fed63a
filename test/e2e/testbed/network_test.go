package testbed

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// TestPodNetworkStaysOnTheMachine checks the test bed's isolation promise from inside a pod: the
// pod's routing table reaches the pod and Service ranges only, with no default route, so nothing a
// test runs can send traffic off this machine.
func TestPodNetworkStaysOnTheMachine(t *testing.T) {
	t.Parallel()
	f := framework.New(t)
	ns := f.CreateNamespace(t, "network")
	ctx := t.Context()

	c := redisContainer(framework.Setting(t, "REDIS_IMAGE"), "sleep", "3600")
	c.ReadinessProbe = nil
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "routes"},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers:                    []corev1.Container{c},
		},
	}
	if err := f.Client.Create(ctx, pod); err != nil {
		t.Fatalf("creating pod: %v", err)
	}
	f.WaitForPodReady(ctx, t, ns, pod.Name, 2*time.Minute)

	res, err := f.Exec(ctx, ns, pod.Name, "redis", "ip", "-4", "route", "show")
	if err != nil {
		t.Fatalf("listing routes: %v", err)
	}
	routes := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(routes) == 0 || routes[0] == "" {
		t.Fatalf("pod has no IPv4 routes at all; output %q", res.Stdout)
	}
	for _, r := range routes {
		if strings.HasPrefix(r, "default") || strings.HasPrefix(r, "0.0.0.0") {
			t.Errorf("pod has a default route %q; pod traffic could leave the machine (routes: %q)", r, routes)
		}
	}
}
