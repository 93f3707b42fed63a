package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// A setting Redis applies live reaches every node with CONFIG SET: no pod restarts, the pod
// template is unchanged, an Event says what was applied, and the checking writer loses nothing.
// A value Redis refuses gives a ConfigRefused Event naming the field and Redis's reason.
func TestLiveSettingChangeRestartsNoPod(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-live")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "live", "")
	rf := waitReady(t, f, ns, "live")
	before := redisPodUIDs(t, f, ns, "live")
	var sts appsv1.StatefulSet
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "rfr-live"}, &sts); err != nil {
		t.Fatal(err)
	}
	templateHash := sts.Spec.Template.Annotations[render.AnnotationConfigHash]
	writer := startWriter(t, f, rf, "")

	patched := rf.DeepCopy()
	patched.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 64mb", "maxmemory-policy allkeys-lru"}
	if err := f.Client.Patch(ctx, patched, client.MergeFrom(rf)); err != nil {
		t.Fatal(err)
	}
	started := writer.Mark("live settings changed")
	framework.WaitFor(ctx, t, 2*time.Minute, "every node to report maxmemory 64mb and allkeys-lru", func(ctx context.Context) (bool, error) {
		for pod := range before {
			for setting, want := range map[string]string{"maxmemory": "67108864", "maxmemory-policy": "allkeys-lru"} {
				out, err := redisCLI(ctx, f, ns, pod, "CONFIG", "GET", setting)
				if err != nil {
					return false, err
				}
				if !strings.HasSuffix(out, want) {
					return false, fmt.Errorf("%s has %s %q, want %s", pod, setting, out, want)
				}
			}
		}
		return true, nil
	})
	t.Logf("live settings applied on every node %.1fs after the change", time.Since(started).Seconds())

	if after := redisPodUIDs(t, f, ns, "live"); !sameRestarts(before, after) {
		t.Errorf("pods were replaced or restarted by a live setting change: before %v, after %v", before, after)
	}
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "rfr-live"}, &sts); err != nil {
		t.Fatal(err)
	}
	if got := sts.Spec.Template.Annotations[render.AnnotationConfigHash]; got != templateHash {
		t.Errorf("the pod template's config hash changed from %s to %s for live settings only", templateHash, got)
	}
	waitEvent(t, f, ns, "live", redisv1alpha1.ReasonConfigApplied, "maxmemory")

	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)
	writer.StopAndVerify(ctx)

	// A value Redis refuses: the Event names the field and Redis's reason.
	if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), rf); err != nil {
		t.Fatal(err)
	}
	bad := rf.DeepCopy()
	bad.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 64mb", "maxmemory-policy sometimes"}
	if err := f.Client.Patch(ctx, bad, client.MergeFrom(rf)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, f, ns, "live", redisv1alpha1.ReasonConfigRefused, "spec.redis.customConfig[1]")
}

// redisPodUIDs maps each Redis pod to its UID and its redis container's restart count.
func redisPodUIDs(t *testing.T, f *framework.Framework, ns, instance string) map[string]string {
	t.Helper()
	var pods corev1.PodList
	if err := f.Client.List(t.Context(), &pods, client.InNamespace(ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: instance, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentRedis}); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range pods.Items {
		restarts := int32(0)
		for _, c := range p.Status.ContainerStatuses {
			restarts += c.RestartCount
		}
		out[p.Name] = fmt.Sprintf("%s/%d", p.UID, restarts)
	}
	return out
}

func sameRestarts(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// waitEvent waits for an Event about the RedisFailover with reason whose note contains text.
func waitEvent(t *testing.T, f *framework.Framework, ns, name, reason, text string) {
	t.Helper()
	framework.WaitFor(t.Context(), t, 2*time.Minute, fmt.Sprintf("a %s Event mentioning %q", reason, text), func(ctx context.Context) (bool, error) {
		var events eventsv1.EventList
		if err := f.Client.List(ctx, &events, client.InNamespace(ns)); err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.Regarding.Name == name && e.Reason == reason && strings.Contains(e.Note, text) {
				t.Logf("%s Event: %s", reason, e.Note)
				return true, nil
			}
		}
		return false, fmt.Errorf("%d events in %s, none with reason %s mentioning %q", len(events.Items), ns, reason, text)
	})
}
