package testbed

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// TestServiceResolvesThroughClusterDNS checks, from inside a pod, that a Service's name resolves
// through the cluster DNS to the Service's ClusterIP, and that the short name (the pod's search
// path) leads through kube-proxy to the Redis behind it.
func TestServiceResolvesThroughClusterDNS(t *testing.T) {
	t.Parallel()
	f := framework.New(t)
	ns := f.CreateNamespace(t, "dns")
	ctx := t.Context()
	image := framework.Setting(t, "REDIS_IMAGE")

	serverLabels := map[string]string{"app.kubernetes.io/name": "dns-target"}
	server := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dns-target", Labels: serverLabels},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](2),
			Containers:                    []corev1.Container{redisContainer(image, redisServerArgs()...)},
		},
	}
	// The client runs the same image (it has busybox's nslookup and redis-cli) but no server.
	clientContainer := redisContainer(image, "sleep", "3600")
	clientContainer.ReadinessProbe = nil
	clientPod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dns-client"},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers:                    []corev1.Container{clientContainer},
		},
	}
	svc := redisService(ns, "dns-target", serverLabels)
	for _, obj := range []client.Object{svc, server, clientPod} {
		if err := f.Client.Create(ctx, obj); err != nil {
			t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
		}
	}
	for _, pod := range []string{server.Name, clientPod.Name} {
		f.WaitForPodReady(ctx, t, ns, pod, 2*time.Minute)
	}
	if err := f.Client.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
		t.Fatalf("getting service: %v", err)
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		t.Fatalf("service %s has no ClusterIP: %q", svc.Name, svc.Spec.ClusterIP)
	}

	// CoreDNS learns about the Service through a watch, so the name may take a moment to appear;
	// once it resolves, it must resolve to the ClusterIP and nothing else.
	fqdn := fmt.Sprintf("%s.%s.svc.cluster.local", svc.Name, ns)
	var answer framework.ExecResult
	framework.WaitFor(ctx, t, 30*time.Second, "cluster DNS to answer for "+fqdn, func(ctx context.Context) (bool, error) {
		res, err := f.Exec(ctx, ns, clientPod.Name, "redis", "nslookup", fqdn)
		if err != nil {
			return false, err
		}
		answer = res
		return len(resolvedAddresses(res.Stdout)) > 0, nil
	})
	if got := resolvedAddresses(answer.Stdout); len(got) != 1 || got[0] != svc.Spec.ClusterIP {
		t.Fatalf("nslookup %s resolved to %v, want [%s]; output:\n%s", fqdn, got, svc.Spec.ClusterIP, answer.Stdout)
	}

	// The short name goes through the pod's resolv.conf search path, the ClusterIP through
	// kube-proxy's rules; the Service's endpoints may lag the pod's readiness a little.
	framework.WaitFor(ctx, t, 30*time.Second, "PING through service "+svc.Name, func(ctx context.Context) (bool, error) {
		res, err := f.Exec(ctx, ns, clientPod.Name, "redis", "redis-cli", "-h", svc.Name, "PING")
		if err != nil {
			return false, err
		}
		if reply := strings.TrimSpace(res.Stdout); reply != "PONG" {
			return false, fmt.Errorf("PING via %s answered %q", svc.Name, reply)
		}
		return true, nil
	})
}

// resolvedAddresses picks the answers out of busybox nslookup's output: the "Address" lines after
// the first "Name:" line (the ones before it describe the DNS server).
func resolvedAddresses(out string) []string {
	var addrs []string
	answers := false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "Name:") {
			answers = true
			continue
		}
		if value, ok := strings.CutPrefix(line, "Address:"); ok && answers {
			addrs = append(addrs, strings.TrimSpace(value))
		}
	}
	return addrs
}
