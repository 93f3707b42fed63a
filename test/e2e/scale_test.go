package e2e

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// Scaling Redis down so that the master's ordinal goes away: the sentinels are asked for a
// switchover to a node that stays before the StatefulSet shrinks. Then scaling back up: the new
// replicas are Ready only once synced. The checking writer runs throughout and loses nothing.
func TestScaleRedisDownAcrossTheMasterThenUp(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-scale")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "scale", "")
	rf := waitReady(t, f, ns, "scale")
	// The master must be on an ordinal above 0 for a scale-down to remove it: ask the sentinels
	// to move it off ordinal 0 first.
	if rf.Status.Master.Pod == "rfr-scale-0" {
		if out, err := redisCLI(ctx, f, ns, "rfr-scale-1", "-h", "rfs-scale", "-p", "26379", "SENTINEL", "FAILOVER", rf.Status.MasterName); err != nil || out != "OK" {
			t.Fatalf("SENTINEL FAILOVER: %q %v", out, err)
		}
		framework.WaitFor(ctx, t, readyTimeout, "the master to move off rfr-scale-0 and Ready", func(ctx context.Context) (bool, error) {
			got := waitReady(t, f, ns, "scale")
			if got.Status.Master == nil || got.Status.Master.Pod == "rfr-scale-0" {
				return false, fmt.Errorf("master still %v", got.Status.Master)
			}
			rf = got
			return true, nil
		})
	}
	oldMaster := rf.Status.Master.Pod
	target := int32(ordinalOf(t, oldMaster))
	writer := startWriter(t, f, rf, "")

	patched := rf.DeepCopy()
	patched.Spec.Redis.Replicas = target
	if err := f.Client.Patch(ctx, patched, client.MergeFrom(rf)); err != nil {
		t.Fatal(err)
	}
	started := writer.Mark(fmt.Sprintf("spec.redis.replicas 3 -> %d, removing the master %s", target, oldMaster))
	masterDeletedFirst := ""
	framework.WaitFor(ctx, t, 5*time.Minute, fmt.Sprintf("%d Redis pods, the master on one that stays, Ready", target), func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), rf); err != nil {
			return false, err
		}
		pods := redisPods(t, f, ns, "scale")
		if _, present := pods[oldMaster]; !present && rf.Status.Master != nil && rf.Status.Master.Pod == oldMaster && masterDeletedFirst == "" {
			masterDeletedFirst = fmt.Sprintf("%s was gone at %.1fs while status.master still named it", oldMaster, time.Since(started).Seconds())
		}
		if int32(len(pods)) != target {
			return false, fmt.Errorf("%d Redis pods, want %d", len(pods), target)
		}
		if rf.Status.Master == nil || ordinalOf(t, rf.Status.Master.Pod) >= int(target) {
			return false, fmt.Errorf("master %v", rf.Status.Master)
		}
		waitReady(t, f, ns, "scale")
		return true, nil
	})
	t.Logf("scale-down removing the master's ordinal took %.1fs", time.Since(started).Seconds())
	if masterDeletedFirst != "" {
		t.Errorf("the master's pod was removed before the switchover: %s", masterDeletedFirst)
	}
	if lf := rf.Status.LastFailover; lf == nil || lf.From != oldMaster || lf.Reason != redisv1alpha1.FailoverReasonSwitchover {
		t.Errorf("lastFailover = %+v, want a Switchover from %s", lf, oldMaster)
	}

	// Scale up: a replica counts as Ready only once it is linked and done syncing.
	if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), rf); err != nil {
		t.Fatal(err)
	}
	up := rf.DeepCopy()
	up.Spec.Redis.Replicas = 4
	if err := f.Client.Patch(ctx, up, client.MergeFrom(rf)); err != nil {
		t.Fatal(err)
	}
	upStarted := writer.Mark("spec.redis.replicas -> 4")
	var readyUnsynced []string
	framework.WaitFor(ctx, t, 5*time.Minute, "4 Redis pods, each Ready", func(ctx context.Context) (bool, error) {
		pods := redisPods(t, f, ns, "scale")
		ready := 0
		for name, p := range pods {
			if !podReady(p) {
				continue
			}
			ready++
			info, err := redisCLI(ctx, f, ns, name, "INFO", "replication")
			if err != nil {
				return false, err
			}
			if r, _ := infoField(info, "role"); r == "slave" {
				link, _ := infoField(info, "master_link_status")
				syncing, _ := infoField(info, "master_sync_in_progress")
				if link != "up" || syncing != "0" {
					readyUnsynced = append(readyUnsynced, fmt.Sprintf("%s Ready with master_link_status %s, master_sync_in_progress %s", name, link, syncing))
				}
			}
		}
		if len(pods) != 4 || ready != 4 {
			return false, fmt.Errorf("%d pods, %d Ready", len(pods), ready)
		}
		waitReady(t, f, ns, "scale")
		return true, nil
	})
	t.Logf("scale-up to 4 took %.1fs", time.Since(upStarted).Seconds())
	for _, u := range readyUnsynced {
		t.Errorf("a new replica was Ready before it synced: %s", u)
	}
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)
	writer.StopAndVerify(ctx)
}

// Scaling the sentinels up and down keeps the quorum a majority of the count on every sentinel,
// and the RedisFailover Ready; the checking writer, which asks the sentinels, loses nothing.
// The sentinels are asked directly from the host (pod addresses route from it), not through an
// exec into a pod.
func TestScaleSentinelsKeepsTheQuorum(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-sentinels")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "quorum", "")
	rf := waitReady(t, f, ns, "quorum")
	writer := startWriter(t, f, rf, "")
	for _, step := range []struct{ replicas, quorum int32 }{{5, 3}, {3, 2}} {
		if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), rf); err != nil {
			t.Fatal(err)
		}
		patched := rf.DeepCopy()
		patched.Spec.Sentinel.Replicas = step.replicas
		if err := f.Client.Patch(ctx, patched, client.MergeFrom(rf)); err != nil {
			t.Fatal(err)
		}
		started := writer.Mark(fmt.Sprintf("spec.sentinel.replicas -> %d", step.replicas))
		framework.WaitFor(ctx, t, 4*time.Minute, fmt.Sprintf("%d sentinels, each with quorum %d, and Ready", step.replicas, step.quorum), func(ctx context.Context) (bool, error) {
			ips := podIPs(t, f, ns, "quorum", redisv1alpha1.ComponentSentinel)
			if int32(len(ips)) != step.replicas {
				return false, fmt.Errorf("%d sentinel pods", len(ips))
			}
			for _, ip := range ips {
				q, err := sentinelQuorum(ctx, net.JoinHostPort(ip, "26379"), rf.MasterName())
				if err != nil {
					return false, err
				}
				if q != strconv.Itoa(int(step.quorum)) {
					return false, fmt.Errorf("sentinel %s has quorum %q, want %d", ip, q, step.quorum)
				}
			}
			got := &redisv1alpha1.RedisFailover{}
			if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), got); err != nil {
				return false, err
			}
			if c := meta.FindStatusCondition(got.Status.Conditions, redisv1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != got.Generation {
				return false, fmt.Errorf("not Ready: %+v", c)
			}
			if got.Status.Sentinels.Quorum != step.quorum {
				return false, fmt.Errorf("status.sentinels.quorum %d", got.Status.Sentinels.Quorum)
			}
			return true, nil
		})
		t.Logf("sentinels scaled to %d (quorum %d) in %.1fs", step.replicas, step.quorum, time.Since(started).Seconds())
	}
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)
	writer.StopAndVerify(ctx)
}

// sentinelQuorum is the quorum a sentinel reports for master (SENTINEL MASTER).
func sentinelQuorum(ctx context.Context, addr, master string) (string, error) {
	c := redis.NewSentinelClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, MaxRetries: -1})
	defer c.Close()
	fields, err := c.Master(ctx, master).Result()
	if err != nil {
		return "", fmt.Errorf("SENTINEL MASTER %s on %s: %w", master, addr, err)
	}
	return fields["quorum"], nil
}

func redisPods(t *testing.T, f *framework.Framework, ns, instance string) map[string]*corev1.Pod {
	t.Helper()
	var pods corev1.PodList
	if err := f.Client.List(t.Context(), &pods, client.InNamespace(ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: instance, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentRedis}); err != nil {
		t.Fatal(err)
	}
	out := map[string]*corev1.Pod{}
	for i := range pods.Items {
		if pods.Items[i].DeletionTimestamp == nil {
			out[pods.Items[i].Name] = &pods.Items[i]
		}
	}
	return out
}

func ordinalOf(t *testing.T, pod string) int {
	t.Helper()
	n, err := strconv.Atoi(pod[strings.LastIndexByte(pod, '-')+1:])
	if err != nil {
		t.Fatalf("pod %s has no ordinal", pod)
	}
	return n
}
