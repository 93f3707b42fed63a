package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// AnnotationSwitchover asks the operator for a planned switchover ("any", or a pod name).
const AnnotationSwitchover = "redis.failover.dev/switchover"

// requestTimeout is how long a row waits for the operator to act on a request (an annotation)
// before it reports the operation as not available in this build.
const requestTimeout = 30 * time.Second

// errUnavailable marks an operation the operator under test does not perform (yet): the row
// reports it instead of a figure.
type errUnavailable struct{ why string }

func (e errUnavailable) Error() string { return e.why }

// row is one operation of the benchmark table.
type row struct {
	name  string // as in ROWS=
	title string
	goal  string
	// prepare brings the group into the row's starting state (not measured).
	prepare func(ctx context.Context, k *cluster, st steady) (steady, error)
	// act starts the operation; t0 is taken just before it.
	act func(ctx context.Context, k *cluster, st steady) error
	// wait returns once the operation is over and the group is at rest again.
	wait func(ctx context.Context, k *cluster, st steady, t0 time.Time) error
	// cleanup restores what the row changed (not measured).
	cleanup func(ctx context.Context, k *cluster) error
}

var rows = []row{
	{
		// The anchor for the graceful deletion: the same deletion and re-creation of a pod, of a
		// replica, so with no handover; what its writer sees is the cost of pod churn on this node.
		name: "replica-delete", title: "replica pod deletion (anchor: pod churn, no handover)",
		goal: "– (anchor)",
		act: func(ctx context.Context, k *cluster, st steady) error {
			replica, err := st.aReplica()
			if err != nil {
				return err
			}
			return k.c.Delete(ctx, &replica)
		},
		wait: func(ctx context.Context, k *cluster, st steady, t0 time.Time) error {
			replica, err := st.aReplica()
			if err != nil {
				return err
			}
			if err := poll(ctx, 2*time.Minute, func(ctx context.Context) error {
				var p corev1.Pod
				if err := k.c.Get(ctx, client.ObjectKeyFromObject(&replica), &p); err != nil {
					return err
				}
				if p.UID == replica.UID {
					return fmt.Errorf("pod %s not re-created yet", p.Name)
				}
				return nil
			}); err != nil {
				return err
			}
			_, err = k.waitSteady(ctx, 4*time.Minute)
			return err
		},
	},
	{
		name: "graceful-delete", title: "graceful master pod deletion (`kubectl delete pod`)",
		goal: "0 lost, median gap ≤ 100 ms",
		act: func(ctx context.Context, k *cluster, st steady) error {
			return k.c.Delete(ctx, &st.master)
		},
		wait: waitFailedOverAndSteady,
	},
	{
		name: "sigkill", title: "master container SIGKILL (restart in place)",
		goal: "median gap ≤ down-after + 500 ms",
		act: func(ctx context.Context, k *cluster, st steady) error {
			return k.killRedis(ctx, &st.master)
		},
		wait: func(ctx context.Context, k *cluster, st steady, t0 time.Time) error {
			before := redisRestarts(&st.master)
			err := poll(ctx, 2*time.Minute, func(ctx context.Context) error {
				var p corev1.Pod
				if err := k.c.Get(ctx, client.ObjectKeyFromObject(&st.master), &p); err != nil {
					return err
				}
				if p.UID != st.master.UID {
					return fmt.Errorf("pod %s was replaced, not restarted in place", p.Name)
				}
				if redisRestarts(&p) <= before {
					return fmt.Errorf("restart count of %s still %d", p.Name, before)
				}
				return nil
			})
			if err != nil {
				return err
			}
			return waitFailedOverAndSteady(ctx, k, st, t0)
		},
	},
	{
		name: "force-delete", title: "master pod force-deletion (`--grace-period=0 --force`)",
		goal: "median gap ≤ down-after + 500 ms",
		act: func(ctx context.Context, k *cluster, st steady) error {
			return k.c.Delete(ctx, &st.master, client.GracePeriodSeconds(0))
		},
		wait: waitFailedOverAndSteady,
	},
	{
		name: "switchover", title: "switchover on request (annotation `" + AnnotationSwitchover + ": any`)",
		goal: "0 lost, median gap ≤ 100 ms",
		act: func(ctx context.Context, k *cluster, st steady) error {
			return k.annotate(ctx, AnnotationSwitchover, "any")
		},
		wait: func(ctx context.Context, k *cluster, st steady, t0 time.Time) error {
			if _, err := k.waitMasterMoved(ctx, st.master.Name, requestTimeout); err != nil {
				return errUnavailable{fmt.Sprintf("the operator did not move the master within %s of the annotation: %v", requestTimeout, err)}
			}
			return waitFailedOverAndSteady(ctx, k, st, t0)
		},
		cleanup: func(ctx context.Context, k *cluster) error { return k.annotate(ctx, AnnotationSwitchover, "") },
	},
	{
		name: "rolling-update", title: "rolling update of 3 Redis nodes (a `spec.redis.customConfig` change)",
		goal: "0 lost, worst gap ≤ 1 s",
		act: func(ctx context.Context, k *cluster, st steady) error {
			// Alternate between two harmless values so that every run changes the pod template.
			// The directive must be one that needs a restart (render.RestartSettings): a live
			// one is applied with CONFIG SET and rolls nothing out.
			next := "databases 17"
			if len(st.rf.Spec.Redis.CustomConfig) > 0 && st.rf.Spec.Redis.CustomConfig[0] == "databases 17" {
				next = "databases 18"
			}
			patched := st.rf.DeepCopy()
			patched.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{redisv1alpha1.RedisConfigLine(next)}
			return k.c.Patch(ctx, patched, client.MergeFrom(st.rf))
		},
		wait: func(ctx context.Context, k *cluster, st steady, t0 time.Time) error {
			var before appsv1.StatefulSet
			if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.ns, Name: "rfr-" + k.name}, &before); err != nil {
				return err
			}
			old := before.Status.CurrentRevision
			err := poll(ctx, time.Minute, func(ctx context.Context) error {
				var sts appsv1.StatefulSet
				if err := k.c.Get(ctx, client.ObjectKeyFromObject(&before), &sts); err != nil {
					return err
				}
				if sts.Status.ObservedGeneration < sts.Generation || sts.Status.UpdateRevision == old {
					return fmt.Errorf("no new StatefulSet revision yet (still %s)", old)
				}
				return nil
			})
			if err != nil {
				return err
			}
			_, err = k.waitSteady(ctx, 6*time.Minute)
			return err
		},
	},
	{
		name: "scale-down-master", title: "scale-down 3 → 2 removing the master's ordinal",
		goal: "0 lost, median gap ≤ 100 ms",
		prepare: func(ctx context.Context, k *cluster, st steady) (steady, error) {
			last := fmt.Sprintf("rfr-%s-%d", k.name, st.rf.Spec.Redis.Replicas-1)
			if st.master.Name == last {
				return st, nil
			}
			// Put the master on the ordinal the scale-down removes: a switchover to that pod.
			if err := k.annotate(ctx, AnnotationSwitchover, last); err != nil {
				return st, err
			}
			if err := poll(ctx, requestTimeout, func(ctx context.Context) error {
				m, err := k.labelledMaster(ctx)
				if err == nil && m != last {
					err = fmt.Errorf("master is %s", m)
				}
				return err
			}); err != nil {
				return st, errUnavailable{fmt.Sprintf("cannot put the master on %s: the operator did not act on %s: %s within %s", last, AnnotationSwitchover, last, requestTimeout)}
			}
			if err := k.annotate(ctx, AnnotationSwitchover, ""); err != nil {
				return st, err
			}
			return k.waitSteady(ctx, 3*time.Minute)
		},
		act: func(ctx context.Context, k *cluster, st steady) error {
			return k.setReplicas(ctx, st.rf.Spec.Redis.Replicas-1)
		},
		wait: waitFailedOverAndSteady,
		cleanup: func(ctx context.Context, k *cluster) error {
			if err := k.annotate(ctx, AnnotationSwitchover, ""); err != nil {
				return err
			}
			return k.setReplicas(ctx, 3)
		},
	},
}

// aReplica is the first Redis pod that is not the master.
func (st steady) aReplica() (corev1.Pod, error) {
	for _, p := range st.pods {
		if p.Name != st.master.Name {
			return p, nil
		}
	}
	return corev1.Pod{}, fmt.Errorf("no replica pod beside master %s", st.master.Name)
}

// waitFailedOverAndSteady waits until another pod is labelled master and the group is at rest.
func waitFailedOverAndSteady(ctx context.Context, k *cluster, st steady, _ time.Time) error {
	if _, err := k.waitMasterMoved(ctx, st.master.Name, 2*time.Minute); err != nil {
		return err
	}
	_, err := k.waitSteady(ctx, 4*time.Minute)
	return err
}

// annotate sets (value != "") or removes an annotation on the RedisFailover.
func (k *cluster) annotate(ctx context.Context, key, value string) error {
	v := "null"
	if value != "" {
		v = strconv.Quote(value)
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%s}}}`, key, v)
	rf := &redisv1alpha1.RedisFailover{}
	rf.Namespace, rf.Name = k.ns, k.name
	return k.c.Patch(ctx, rf, client.RawPatch(types.MergePatchType, []byte(patch)))
}

func (k *cluster) setReplicas(ctx context.Context, n int32) error {
	patch := fmt.Sprintf(`{"spec":{"redis":{"replicas":%d}}}`, n)
	rf := &redisv1alpha1.RedisFailover{}
	rf.Namespace, rf.Name = k.ns, k.name
	return k.c.Patch(ctx, rf, client.RawPatch(types.MergePatchType, []byte(patch)))
}

func rowByName(name string) (row, error) {
	for _, r := range rows {
		if r.name == name {
			return r, nil
		}
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.name)
	}
	return row{}, fmt.Errorf("unknown row %q: the rows are %v", name, names)
}

func isUnavailable(err error) bool {
	var u errUnavailable
	return errors.As(err, &u)
}
