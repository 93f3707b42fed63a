package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
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

// TestSentinelsFailOverWhileTheOperatorIsDown: with the operator scaled to zero, every sentinel
// pod is deleted, and then the master's Redis is SIGKILLed (it restarts in place, fenced). The
// new sentinel pods must find the master by themselves (their peers know nothing, so from the
// Redis pods' roles), the master's crash must be failed over to a replica with every
// acknowledged write, and the operator, once back, must converge on the sentinels' choice.
// It lives here, with the operator's own life, because it stops the operator every other e2e
// test uses.
func TestSentinelsFailOverWhileTheOperatorIsDown(t *testing.T) {
	f := framework.New(t, framework.WithScheme(redisv1alpha1.AddToScheme))
	sh := newShell(t)
	ctx := t.Context()
	ctrAddress, err := framework.ContainerdAddress()
	if err != nil {
		t.Fatal(err)
	}
	ns := f.CreateNamespace(t, "opdown")
	const name = "opdown"
	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	rf.Spec.Sentinel.DownAfterMilliseconds = 3000
	if err := f.Client.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	rf = waitRedisFailoverReady(t, f, ns, name)
	oldMaster := rf.Status.Master.Pod
	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-" + name, MasterName: rf.MasterName()})

	scale := func(n int) {
		sh.run(t, 3*time.Minute, fmt.Sprintf("kubectl --namespace %s scale deployment/%s --replicas=%d && "+
			"kubectl --namespace %s rollout status deployment/%s --timeout=150s", operatorNamespace, operatorRelease, n, operatorNamespace, operatorRelease))
	}
	scale(0)
	t.Cleanup(func() {
		if t.Failed() {
			dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			f.DumpNamespace(dctx, t, ns)
			cancel()
		}
		// The other lifecycle tests need the operator back, whatever happened here (the test's
		// context is over by now).
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := sh.exec(cctx, t.Logf, fmt.Sprintf("kubectl --namespace %s scale deployment/%s --replicas=1", operatorNamespace, operatorRelease)); err != nil {
			t.Errorf("scaling the operator back up: %v", err)
		}
	})
	framework.WaitFor(ctx, t, 2*time.Minute, "no operator pod left", func(ctx context.Context) (bool, error) {
		var pods corev1.PodList
		err := f.Client.List(ctx, &pods, client.InNamespace(operatorNamespace), client.MatchingLabels{"app.kubernetes.io/name": "redis-failover-operator"})
		return err == nil && len(pods.Items) == 0, err
	})

	// Every sentinel pod deleted: the Deployment brings up new ones with empty configs.
	sentinelSel := client.MatchingLabels{redisv1alpha1.LabelInstance: name, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentSentinel}
	oldSentinels := f.PodUIDs(t.Context(), t, ns, sentinelSel)
	if err := f.Client.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(ns), sentinelSel); err != nil {
		t.Fatal(err)
	}
	master := pod(t, f, ns, oldMaster)
	framework.WaitFor(ctx, t, 3*time.Minute, "3 new sentinel pods, each naming the master on its own", func(ctx context.Context) (bool, error) {
		var pods corev1.PodList
		if err := f.Client.List(ctx, &pods, client.InNamespace(ns), sentinelSel); err != nil {
			return false, err
		}
		var fresh []string
		for _, p := range pods.Items {
			if _, old := oldSentinels[p.Name]; !old && p.Status.PodIP != "" && p.DeletionTimestamp == nil {
				fresh = append(fresh, p.Status.PodIP)
			}
		}
		if len(fresh) != 3 {
			return false, fmt.Errorf("%d new sentinel pods with an address", len(fresh))
		}
		for _, ip := range fresh {
			named, err := sentinelMaster(ctx, ip, rf.MasterName())
			if err != nil {
				return false, err
			}
			if named != master.Status.PodIP {
				return false, fmt.Errorf("sentinel %s names %s, the master is %s (%s)", ip, named, oldMaster, master.Status.PodIP)
			}
		}
		return true, nil
	})

	killed := w.Mark("master's Redis SIGKILLed, operator down, sentinels new")
	if err := framework.KillContainer(ctx, ctrAddress, master, "redis"); err != nil {
		t.Fatal(err)
	}
	var promoted string
	var promotedAt time.Time
	framework.WaitFor(ctx, t, 2*time.Minute, "the sentinels to promote a replica", func(ctx context.Context) (bool, error) {
		ips := sentinelIPs(t, f, ns, sentinelSel)
		promoted = ""
		for _, ip := range ips {
			named, err := sentinelMaster(ctx, ip, rf.MasterName())
			if err != nil {
				return false, err
			}
			if named == master.Status.PodIP || (promoted != "" && named != promoted) {
				return false, fmt.Errorf("sentinel %s names %s", ip, named)
			}
			promoted = named
		}
		promotedAt = time.Now()
		return len(ips) == 3, nil
	})
	w.WaitWritesAfter(ctx, time.Now(), 2*time.Minute)
	// The writer's gap is the client's as much as the sentinels': go-redis keeps asking the
	// sentinel it last used, and every sentinel pod it knew was replaced.
	t.Logf("with the operator down: every sentinel names %s %s after the SIGKILL (down-after %d ms, polled); the writer's longest gap after it %s",
		promoted, promotedAt.Sub(killed).Round(time.Millisecond), rf.Spec.Sentinel.DownAfterMilliseconds,
		w.LongestGap(killed, time.Time{}).Duration().Round(time.Millisecond))

	// The operator returns: it adopts the sentinels' master instead of undoing it. Until its
	// first reconcile, status still holds what it wrote before it went down (Ready, the old
	// master), so the wait is for status to name the sentinels' choice, not for Ready alone.
	scale(1)
	framework.WaitFor(ctx, t, 3*time.Minute, "the returned operator to report the sentinels' master", func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, rf); err != nil {
			return false, err
		}
		if rf.Status.Master == nil {
			return false, errors.New("status names no master")
		}
		var p corev1.Pod
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: rf.Status.Master.Pod}, &p); err != nil {
			return false, err
		}
		if p.Status.PodIP != promoted {
			return false, fmt.Errorf("status names %s (%s) as master, the sentinels chose %s", p.Name, p.Status.PodIP, promoted)
		}
		return true, nil
	})
	rf = waitRedisFailoverReady(t, f, ns, name)
	for _, ip := range sentinelIPs(t, f, ns, sentinelSel) {
		if named, err := sentinelMaster(ctx, ip, rf.MasterName()); err != nil || named != promoted {
			t.Errorf("after the operator returned, sentinel %s names %q (err %v), want the master it chose, %s: the operator undid the failover", ip, named, err, promoted)
		}
	}
	w.WaitWritesAfter(ctx, time.Now(), time.Minute)
	w.StopAndVerify(ctx) // fails the test for every acknowledged write missing on the final master
}

// waitRedisFailoverReady waits for the Ready condition at the current generation, with a master
// in status, and returns the object.
func waitRedisFailoverReady(t *testing.T, f *framework.Framework, ns, name string) *redisv1alpha1.RedisFailover {
	t.Helper()
	rf := &redisv1alpha1.RedisFailover{}
	framework.WaitFor(t.Context(), t, 5*time.Minute, "RedisFailover "+ns+"/"+name+" Ready", func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, rf); err != nil {
			return false, err
		}
		c := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady)
		return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == rf.Generation && rf.Status.Master != nil, nil
	})
	return rf
}

func pod(t *testing.T, f *framework.Framework, ns, name string) *corev1.Pod {
	t.Helper()
	var p corev1.Pod
	if err := f.Client.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: name}, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func sentinelIPs(t *testing.T, f *framework.Framework, ns string, sel client.MatchingLabels) []string {
	t.Helper()
	var list corev1.PodList
	if err := f.Client.List(t.Context(), &list, client.InNamespace(ns), sel); err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, p := range list.Items {
		if p.Status.PodIP != "" && p.DeletionTimestamp == nil {
			ips = append(ips, p.Status.PodIP)
		}
	}
	slices.Sort(ips)
	return ips
}

// sentinelMaster asks the sentinel at ip for the master's address (the IP only: every pod
// listens on the same port).
func sentinelMaster(ctx context.Context, ip, masterName string) (string, error) {
	c := redis.NewSentinelClient(&redis.Options{Addr: net.JoinHostPort(ip, fmt.Sprint(framework.SentinelPort)), MaxRetries: -1})
	defer c.Close()
	addr, err := c.GetMasterAddrByName(ctx, masterName).Result()
	if err != nil {
		return "", fmt.Errorf("sentinel %s: %w", ip, err)
	}
	return addr[0], nil
}
