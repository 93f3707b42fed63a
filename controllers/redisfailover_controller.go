// Package controllers holds the RedisFailover reconciler. Reconcile reads as its pipeline and
// each step is one file: redisfailover_mastername.go (claim the master name),
// redisfailover_render.go, redisfailover_apply.go, redisfailover_auth.go (the password),
// redisfailover_observe.go (all the I/O of looking), redisfailover_plan.go (the pure
// topology.Plan), redisfailover_act.go, redisfailover_status.go (conditions from the pure
// topology.Assess); events, metrics and sentinel-event watching have their own files.
package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/notify"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/internal/switchover"
	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

// FieldOwner is the server-side apply field manager of everything the operator writes.
const FieldOwner = "redis-failover-operator"

// Requeue intervals. Watches on Pods, owned objects and sentinel events trigger reconciles;
// these are only the backstops.
const (
	// requeueActing is how soon to look again after acting or while waiting on the sentinels.
	requeueActing = time.Second
	// requeueUnhealthy is how soon to look again while not Ready: sentinels converge (find
	// each other and the replicas) within a few seconds and Ready should say so promptly.
	requeueUnhealthy = 2 * time.Second
	// DefaultResyncPeriod is how often a Ready RedisFailover is re-checked without any event.
	DefaultResyncPeriod = 60 * time.Second
)

// +kubebuilder:rbac:groups=redis.failover.dev,resources=redisfailovers,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=redis.failover.dev,resources=redisfailovers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=redis.failover.dev,resources=redisfailovers/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=configmaps;services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch;patch;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get
// +kubebuilder:rbac:groups=apps,resources=statefulsets;deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// RedisFailoverReconciler reconciles RedisFailover objects.
type RedisFailoverReconciler struct {
	client.Client
	// APIReader reads Secrets straight from the API server, so that the operator neither caches
	// nor watches every Secret of the cluster.
	APIReader client.Reader
	Recorder  events.EventRecorder
	Render    render.Options
	// RedisTimeout bounds each call to one Redis node or sentinel.
	RedisTimeout time.Duration
	ResyncPeriod time.Duration
	// Sentinels, when set, turns sentinel events (+switch-master, +sdown, ...) into reconciles
	// so that labels and Services follow a failover within about a second.
	Sentinels *SentinelEvents
	// Notifier, when set, posts every Event of a RedisFailover with spec.notifications.webhook
	// to that webhook.
	Notifier *notify.Notifier

	masters lastMasters
	applied appliedObjects
}

// Reconcile brings one RedisFailover one step closer to its spec and reports what it saw. It is
// the pipeline, one call per step, each step in its own file (redisfailover_<step>.go): claim
// the master name, render, check ownership, apply, read the password (auth), observe, assess (pure), plan (pure),
// act, status. A step that cannot go on reports why (status, Event) and ends the reconcile; the
// next event or requeue starts again from the top.
func (r *RedisFailoverReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	rf := &redisv1alpha1.RedisFailover{}
	if err := r.Get(ctx, req.NamespacedName, rf); err != nil {
		if apierrors.IsNotFound(err) {
			// Owned objects go with garbage collection; only the in-process state is ours to drop.
			r.forget(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("getting RedisFailover %s: %w", req.NamespacedName, err)
	}
	if !rf.DeletionTimestamp.IsZero() {
		r.forget(req.NamespacedName)
		return ctrl.Result{}, nil
	}

	if res, stop, err := r.claimMasterName(ctx, rf); stop {
		return res, err
	}
	objects, stop, err := r.render(ctx, rf)
	if stop {
		return ctrl.Result{}, err
	}
	if stop, err := r.checkOwnership(ctx, rf, objects); stop {
		if err != nil {
			return ctrl.Result{}, err
		}
		// The other controller's objects send no event to this RedisFailover: look again.
		return ctrl.Result{RequeueAfter: requeueUnhealthy}, nil
	}
	if err := r.apply(ctx, rf, objects); err != nil {
		return ctrl.Result{}, err
	}
	password, err := r.password(ctx, rf)
	if err != nil {
		return ctrl.Result{}, err
	}
	observed, err := r.observe(ctx, rf, password)
	if err != nil {
		return ctrl.Result{}, err
	}
	r.followSentinels(req.NamespacedName, observed, password)
	health := topology.Assess(observed.topology, observed.spec)
	switching, finishedSwitchover, switchErr := r.switchover(ctx, rf, observed, health, password)
	decision := r.plan(ctx, observed, health)
	if switching {
		decision = topology.HoldPriorities(switchover.HoldRollout(decision))
	}
	actErr := errors.Join(switchErr, r.act(ctx, rf, observed, decision, password))
	if err := r.updateStatus(ctx, rf, observed, decision, health, finishedSwitchover); err != nil {
		return ctrl.Result{}, err
	}
	if actErr != nil {
		return ctrl.Result{}, actErr
	}
	return ctrl.Result{RequeueAfter: r.requeueAfter(decision, health, switching)}, nil
}

// requeueAfter is how soon to look again: right after acting, while waiting or while a
// switchover runs (its steps wait on the sentinels, which send no event for what it waits
// for, such as reading a new replica-priority), soon while not Ready, otherwise at the
// resync period.
func (r *RedisFailoverReconciler) requeueAfter(d topology.Decision, h topology.Health, switching bool) time.Duration {
	switch {
	case len(d.Actions) > 0 || d.Waiting != "" || switching:
		return requeueActing
	case !h.Ready():
		return requeueUnhealthy
	default:
		return r.resyncPeriod()
	}
}

func (r *RedisFailoverReconciler) resyncPeriod() time.Duration {
	if r.ResyncPeriod > 0 {
		return r.ResyncPeriod
	}
	return DefaultResyncPeriod
}

func (r *RedisFailoverReconciler) forget(key types.NamespacedName) {
	forgetMetrics(key)
	r.masters.forget(key)
	r.applied.forget(key)
	if r.Sentinels != nil {
		r.Sentinels.Forget(key)
	}
	if r.Notifier != nil {
		r.Notifier.Forget(key)
	}
}

// SetupWithManager registers the watches: the RedisFailover, every object it owns, its pods
// (owned through the StatefulSet and Deployment, so mapped by label) and sentinel events.
func (r *RedisFailoverReconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&redisv1alpha1.RedisFailover{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&corev1.Service{}).
		Owns(&appsv1.StatefulSet{}).
		Owns(&appsv1.Deployment{}).
		Owns(&policyv1.PodDisruptionBudget{}).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(podToRedisFailover),
			builder.WithPredicates(predicate.NewPredicateFuncs(isOurPod)))
	if r.Sentinels != nil {
		b = b.WatchesRawSource(source.Channel(r.Sentinels.Events(), &handler.EnqueueRequestForObject{}))
	}
	return r.watchMasterNameSharers(b).Named("redisfailover").Complete(r)
}

func isOurPod(o client.Object) bool {
	l := o.GetLabels()
	return l[redisv1alpha1.LabelName] == redisv1alpha1.LabelNameValue && l[redisv1alpha1.LabelInstance] != ""
}

func podToRedisFailover(_ context.Context, o client.Object) []reconcile.Request {
	if !isOurPod(o) {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetLabels()[redisv1alpha1.LabelInstance]}}}
}
