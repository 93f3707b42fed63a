package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// staleLimit is how long a sentinel may keep the address of a pod that is gone.
const staleLimit = time.Minute

// A replica pod and a sentinel pod are deleted and come back with new IPs: within a minute of
// the old pod being gone, no sentinel lists its old address (as a replica, or among the other
// sentinels, where a stale entry would raise the votes a failover needs), and no SENTINEL RESET
// is involved. The writer shows that the clean-up costs the clients nothing.
func TestSentinelsForgetTheAddressesOfGonePods(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-stale")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "stale", "")
	rf := waitReady(t, f, ns, "stale")
	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-stale", MasterName: rf.MasterName()})

	var replica string
	for _, n := range rf.Status.Nodes {
		if n.Pod != rf.Status.Master.Pod {
			replica = n.Pod
			break
		}
	}
	if replica == "" {
		t.Fatalf("no replica in status %+v", rf.Status.Nodes)
	}
	sentinels := podNamesOf(t, f, ns, "stale", redisv1alpha1.ComponentSentinel)

	for _, c := range []struct {
		pod, what string
		listed    func(ctx context.Context, sc *redis.SentinelClient) ([]map[string]string, error)
	}{
		{replica, "replica", func(ctx context.Context, sc *redis.SentinelClient) ([]map[string]string, error) {
			return sc.Replicas(ctx, rf.MasterName()).Result()
		}},
		{sentinels[0], "sentinel", func(ctx context.Context, sc *redis.SentinelClient) ([]map[string]string, error) {
			return sc.Sentinels(ctx, rf.MasterName()).Result()
		}},
	} {
		var p corev1.Pod
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: c.pod}, &p); err != nil {
			t.Fatal(err)
		}
		oldIP := p.Status.PodIP
		w.Mark(c.what + " pod " + c.pod + " deleted")
		if err := f.Client.Delete(ctx, &p); err != nil {
			t.Fatal(err)
		}
		framework.WaitFor(ctx, t, 2*time.Minute, "the old "+c.what+" pod to be gone", func(ctx context.Context) (bool, error) {
			var cur corev1.Pod
			err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: c.pod}, &cur)
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			return err == nil && cur.UID != p.UID, err
		})
		gone := time.Now()
		component := redisv1alpha1.ComponentRedis
		if c.what == "sentinel" {
			component = redisv1alpha1.ComponentSentinel
		}
		waitReady(t, f, ns, "stale") // the new pod has its address
		if slices.Contains(podIPs(t, f, ns, "stale", component), oldIP) {
			// The pod network handed the address out again: nothing is stale to check.
			t.Logf("the new %s pod got the old address %s again; nothing to forget", c.what, oldIP)
			continue
		}
		framework.WaitFor(ctx, t, max(staleLimit-time.Since(gone), time.Second), "no sentinel to list the old "+c.what+" address "+oldIP, func(ctx context.Context) (bool, error) {
			for _, addr := range sentinelAddrs(t, f, ns, "stale") {
				sc := redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1})
				entries, err := c.listed(ctx, sc)
				_ = sc.Close()
				if err != nil {
					return false, fmt.Errorf("sentinel %s: %w", addr, err)
				}
				if i := slices.IndexFunc(entries, func(e map[string]string) bool { return e["ip"] == oldIP }); i >= 0 {
					return false, fmt.Errorf("sentinel %s still lists %s (flags %s)", addr, oldIP, entries[i]["flags"])
				}
			}
			return true, nil
		})
		t.Logf("the old %s address %s was forgotten by every sentinel %s after its pod was gone", c.what, oldIP, time.Since(gone).Round(time.Second))
	}
	w.WaitWritesAfter(ctx, time.Now(), time.Minute)
	w.StopAndVerify(ctx)
}

func podNamesOf(t *testing.T, f *framework.Framework, ns, instance, component string) []string {
	t.Helper()
	var pods corev1.PodList
	if err := f.Client.List(t.Context(), &pods, client.InNamespace(ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: instance, redisv1alpha1.LabelComponent: component}); err != nil {
		t.Fatal(err)
	}
	names := podNames(pods.Items)
	if len(names) == 0 {
		t.Fatalf("no %s pods of %s", component, instance)
	}
	return names
}
