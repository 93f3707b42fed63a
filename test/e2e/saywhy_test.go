package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// Say why: what a user tries, and what the status must answer. Each answer must name the cause
// from the pods themselves (or the spec), never only its effect ("0 of 3 Redis nodes answer").
func TestStatusSaysWhyPodsDoNotRun(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-saywhy")
	cases := []struct {
		name      string
		mutate    func(*redisv1alpha1.RedisFailover)
		condition string   // the condition that says it
		reasons   []string // one of these reasons
		says      []string // and every one of these in its message
	}{
		// A live setting: refused before anything is created, naming the field.
		{"maxmemory", func(rf *redisv1alpha1.RedisFailover) {
			rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory lots"}
		},
			redisv1alpha1.ConditionReady, []string{redisv1alpha1.ReasonInvalidSpec}, []string{"spec.redis.customConfig[0]", `maxmemory "lots"`}},
		// A setting only Redis checks: the pods crash, and Redis's own words reach the status.
		{"databases", func(rf *redisv1alpha1.RedisFailover) {
			rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"databases lots"}
		},
			redisv1alpha1.ConditionPodsRunning, []string{"CrashLoopBackOff"}, []string{"FATAL CONFIG FILE ERROR", "databases"}},
		{"image", func(rf *redisv1alpha1.RedisFailover) { rf.Spec.Redis.Image = "localhost:5999/no-such-redis:1" },
			redisv1alpha1.ConditionPodsRunning, []string{"ErrImagePull", "ImagePullBackOff"}, []string{"localhost:5999/no-such-redis:1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			createRedisFailover(t, f, ns, "why-"+c.name, "", c.mutate)
			cond := waitCondition(t, f, ns, "why-"+c.name, c.condition, c.reasons, c.says)
			t.Logf("%s: %s=%s %s: %s", c.name, cond.Type, cond.Status, cond.Reason, cond.Message)
			if c.condition != redisv1alpha1.ConditionReady {
				// Ready carries the same cause while not Ready.
				waitCondition(t, f, ns, "why-"+c.name, redisv1alpha1.ConditionReady, c.reasons, c.says)
				waitEvent(t, f, ns, "why-"+c.name, cond.Reason, c.says[0])
			}
		})
	}
}

// A running RedisFailover patched with a setting Redis refuses at start: the rollout restarts
// one replica, which crash-loops, and goes no further. The status names the pod and why, the
// other pods are not touched (the writer keeps writing), and reverting heals it.
func TestHaltedRolloutSaysWhereAndWhy(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-halted")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "halted", "")
	rf := waitReady(t, f, ns, "halted")
	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-halted", MasterName: rf.MasterName()})
	redisPods := client.MatchingLabels{redisv1alpha1.LabelInstance: "halted", redisv1alpha1.LabelComponent: redisv1alpha1.ComponentRedis}
	before := f.PodUIDs(ctx, t, ns, redisPods)

	patch := func(lines ...redisv1alpha1.RedisConfigLine) {
		t.Helper()
		cur := &redisv1alpha1.RedisFailover{}
		if err := f.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "halted"}, cur); err != nil {
			t.Fatal(err)
		}
		// A merge patch: the operator's status writes move the resourceVersion under an Update.
		before := cur.DeepCopy()
		cur.Spec.Redis.CustomConfig = lines
		if err := f.Client.Patch(ctx, cur, client.MergeFrom(before)); err != nil {
			t.Fatal(err)
		}
	}
	w.Mark("customConfig: databases lots")
	patch("databases lots")
	cond := waitCondition(t, f, ns, "halted", redisv1alpha1.ConditionPodsRunning, []string{redisv1alpha1.ReasonRolloutHalted},
		[]string{"the rollout of the new pod template halted at rfr-halted-", "FATAL CONFIG FILE ERROR", "the 2 pod(s) on the previous template were not touched"})
	t.Logf("halted: %s", cond.Message)
	waitEvent(t, f, ns, "halted", redisv1alpha1.ReasonRolloutHalted, "halted at")
	// Only the canary was replaced when the rollout halted.
	untouched := unchangedPods(before, f.PodUIDs(ctx, t, ns, redisPods))
	if len(untouched) != len(before)-1 {
		t.Errorf("%d of %d Redis pods kept by the bad template's rollout, want all but the canary", len(untouched), len(before))
	}

	w.Mark("customConfig reverted")
	patch()
	waitReady(t, f, ns, "halted")
	waitCondition(t, f, ns, "halted", redisv1alpha1.ConditionPodsRunning, []string{redisv1alpha1.ReasonPodsRunning}, nil)
	// The revert is the old template again, so the pods the rollout never reached are still the
	// same pods now: none of them was replaced while it stood halted, nor by the revert.
	if kept := unchangedPods(before, f.PodUIDs(ctx, t, ns, redisPods)); !slices.Equal(kept, untouched) {
		t.Errorf("pods kept through the halted rollout and its revert: %v, want %v", kept, untouched)
	}
	w.WaitWritesAfter(ctx, time.Now(), time.Minute)
	w.StopAndVerify(ctx)
}

// waitCondition waits for a condition with one of reasons whose message holds every string of
// says, and returns it.
func waitCondition(t *testing.T, f *framework.Framework, ns, name, typ string, reasons, says []string) metav1.Condition {
	t.Helper()
	var got metav1.Condition
	framework.WaitFor(t.Context(), t, 4*time.Minute, fmt.Sprintf("%s of %s to be %v saying %q", typ, name, reasons, says), func(ctx context.Context) (bool, error) {
		rf := &redisv1alpha1.RedisFailover{}
		if err := f.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, rf); err != nil {
			return false, err
		}
		c := meta.FindStatusCondition(rf.Status.Conditions, typ)
		if c == nil {
			return false, fmt.Errorf("no %s condition yet", typ)
		}
		got = *c
		if !slices.Contains(reasons, c.Reason) {
			return false, fmt.Errorf("%s is %s %s: %s", typ, c.Status, c.Reason, c.Message)
		}
		for _, s := range says {
			if !strings.Contains(c.Message, s) {
				return false, fmt.Errorf("%s %s: %q lacks %q", typ, c.Reason, c.Message, s)
			}
		}
		return true, nil
	})
	return got
}

// unchangedPods names, sorted, the pods of before still there with the same UID in after.
func unchangedPods(before, after map[string]types.UID) []string {
	var kept []string
	for name, uid := range before {
		if after[name] == uid {
			kept = append(kept, name)
		}
	}
	slices.Sort(kept)
	return kept
}
