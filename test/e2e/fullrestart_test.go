package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// behindKeys is how many keys the lagging node misses when every pod is deleted.
const behindKeys = 500

// Every Redis and sentinel pod of a RedisFailover with persistent volumes is deleted at once,
// as after a power cut of the whole cluster or a `kubectl delete pods --all`. One node is
// behind when it happens (its process frozen while the master took more writes), and it is
// the oldest ordinal, the pod a peer that "starts the first pod as master" would pick. After the
// restart the master must be a node with the most data, every acknowledged write must be there,
// and the lagging node must catch up from it instead of wiping it.
//
// The volumes come from the local cluster's provisioner (hack/local-volumes): `local`
// PersistentVolumes on the node, the StorageClass the claims get by default.
func TestFullRestartWithPersistentVolumesKeepsTheData(t *testing.T) {
	t.Parallel()
	ctrAddress, err := framework.ContainerdAddress()
	if err != nil {
		t.Fatal(err)
	}
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-fullrestart")
	ctx := t.Context()
	const name = "full"
	createRedisFailover(t, f, ns, name, "", func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.Storage.PersistentVolumeClaim = &redisv1alpha1.EmbeddedPersistentVolumeClaim{
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceStorage: resource.MustParse("64Mi")}},
			},
		}
	})
	rf := waitReady(t, f, ns, name)
	lagging := "rfr-" + name + "-0"
	if rf.Status.Master.Pod == lagging {
		to := "rfr-" + name + "-1"
		if _, err := kubectlRF(t, "switchover", name, "-n", ns, "--to", to); err != nil {
			t.Fatalf("kubectl rf switchover %s --to %s: %v", name, to, err)
		}
		rf = waitReadyWithMaster(t, f, ns, name, to)
	}
	master := rf.Status.Master.Pod
	for _, n := range rf.Status.Nodes {
		claim := &corev1.PersistentVolumeClaim{}
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "data-" + n.Pod}, claim); err != nil {
			t.Fatalf("the claim of %s: %v", n.Pod, err)
		}
		if claim.Status.Phase != corev1.ClaimBound {
			t.Fatalf("claim %s is %s, want Bound", claim.Name, claim.Status.Phase)
		}
	}

	w := startWriter(t, f, rf, "")
	w.WaitWritesAfter(ctx, time.Now(), 30*time.Second)
	laggingPod := &corev1.Pod{}
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: lagging}, laggingPod); err != nil {
		t.Fatal(err)
	}
	w.Mark(lagging + "'s redis-server frozen (SIGSTOP)")
	if err := framework.SignalContainer(ctx, ctrAddress, laggingPod, "redis", "SIGSTOP"); err != nil {
		t.Fatal(err)
	}
	// Keys only the master and the other replica hold: the data that decides who is master.
	script := "for i=1," + strconv.Itoa(behindKeys) + " do redis.call('SET', 'behind:'..i, i) end return 'done'"
	if out, acked, err := evalAndWait(ctx, f, ns, master, script, 2, 3000); err != nil || out != "done" || acked != 1 {
		t.Fatalf("writing %d keys on %s: %q, %d replicas acknowledged in 3s, %v; want only the running one", behindKeys, master, out, acked, err)
	}

	before := f.PodUIDs(ctx, t, ns, client.MatchingLabels{redisv1alpha1.LabelInstance: name})
	deleted := w.Mark("every Redis and sentinel pod deleted at once")
	if err := f.Client.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(ns),
		client.MatchingLabels{redisv1alpha1.LabelInstance: name}); err != nil {
		t.Fatalf("deleting every pod of %s: %v", name, err)
	}
	framework.WaitFor(ctx, t, 3*time.Minute, "every pod of "+name+" to be replaced", func(ctx context.Context) (bool, error) {
		var pods corev1.PodList
		if err := f.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{redisv1alpha1.LabelInstance: name}); err != nil {
			return false, err
		}
		var old []string
		for _, p := range pods.Items {
			if before[p.Name] == p.UID {
				old = append(old, p.Name)
			}
		}
		if len(old) > 0 {
			return false, fmt.Errorf("not replaced yet: %v", old)
		}
		if len(pods.Items) != len(before) {
			return false, fmt.Errorf("%d pods, want %d", len(pods.Items), len(before))
		}
		return true, nil
	})
	rf = waitReady(t, f, ns, name)
	t.Logf("Ready again %.1fs after every pod was deleted; master %s", time.Since(deleted).Seconds(), rf.Status.Master.Pod)
	logEventsSince(t, f, ns, name, deleted)
	w.WaitWritesAfter(ctx, time.Now(), time.Minute)
	w.StopAndVerify(ctx)

	if rf.Status.Master.Pod == lagging {
		t.Errorf("after the restart the lagging %s (%d keys behind) is master", lagging, behindKeys)
	}
	var pods corev1.PodList
	if err := f.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: name, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentRedis}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(pods.Items, func(a, b corev1.Pod) int { return a.CreationTimestamp.Compare(b.CreationTimestamp.Time) })
	t.Logf("restarted Redis pods, oldest first: %v; master %s", podNames(pods.Items), rf.Status.Master.Pod)

	count := "local n=0 for i=1," + strconv.Itoa(behindKeys) + " do if redis.call('GET', 'behind:'..i) == tostring(i) then n=n+1 end end return n"
	for _, n := range rf.Status.Nodes {
		framework.WaitFor(ctx, t, time.Minute, "every key written before the restart on "+n.Pod, func(ctx context.Context) (bool, error) {
			out, err := redisCLI(ctx, f, ns, n.Pod, "EVAL_RO", count, "0")
			if err != nil {
				return false, err
			}
			if out != strconv.Itoa(behindKeys) {
				return false, fmt.Errorf("%s holds %s of the %d keys", n.Pod, out, behindKeys)
			}
			return true, nil
		})
	}
	for _, n := range rf.Status.Nodes {
		claim := &corev1.PersistentVolumeClaim{}
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "data-" + n.Pod}, claim); err != nil {
			t.Errorf("the claim of %s after the restart: %v", n.Pod, err)
		}
	}
}

// logEventsSince logs the RedisFailover's Events from since on, oldest first: how the operator
// got there, for the test's log.
func logEventsSince(t *testing.T, f *framework.Framework, ns, name string, since time.Time) {
	t.Helper()
	var events eventsv1.EventList
	if err := f.Client.List(t.Context(), &events, client.InNamespace(ns)); err != nil {
		t.Errorf("listing Events: %v", err)
		return
	}
	at := func(e *eventsv1.Event) time.Time {
		if e.Series != nil {
			return e.Series.LastObservedTime.Time
		}
		return e.EventTime.Time
	}
	var mine []*eventsv1.Event
	for i := range events.Items {
		e := &events.Items[i]
		if e.Regarding.Kind == "RedisFailover" && e.Regarding.Name == name && !at(e).Before(since.Truncate(time.Second)) {
			mine = append(mine, e)
		}
	}
	slices.SortFunc(mine, func(a, b *eventsv1.Event) int { return at(a).Compare(at(b)) })
	for _, e := range mine {
		t.Logf("event +%.1fs %s %s: %s", at(e).Sub(since).Seconds(), e.Type, e.Reason, e.Note)
	}
}
