package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// cluster is one RedisFailover on the local cluster and the clients to reach it from the host
// (the local cluster's pod and Service addresses route from the host).
type cluster struct {
	c        client.Client
	cs       kubernetes.Interface
	ns, name string
	password string
	// ctrAddress is containerd's socket: a SIGKILL of a container's process is sent the way
	// the kernel's OOM killer or a crash would end it, from outside the container (PID 1 of a
	// container ignores SIGKILL sent from inside it).
	ctrAddress string
}

func newCluster(ns, name, ctrAddress string) (*cluster, error) {
	path := os.Getenv("KUBECONFIG")
	if path == "" {
		return nil, fmt.Errorf("KUBECONFIG is not set: run through make bench-e2e (or export KUBECONFIG=.local/cluster/kubeconfig)")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig %s: %w", path, err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := redisv1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("creating client for %s: %w", cfg.Host, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &cluster{c: c, cs: cs, ns: ns, name: name, ctrAddress: ctrAddress}, nil
}

// ensureRedisFailover creates the namespace, the password Secret and the RedisFailover if they
// do not exist, and reads the password back (a demo or bench run may reuse them).
func (k *cluster) ensureRedisFailover(ctx context.Context, downAfter, failoverTimeout time.Duration) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: k.ns}}
	if err := k.c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", k.ns, err)
	}
	secretName := k.name + "-auth"
	var secret corev1.Secret
	err := k.c.Get(ctx, client.ObjectKey{Namespace: k.ns, Name: secretName}, &secret)
	if apierrors.IsNotFound(err) {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		secret = corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: k.ns, Name: secretName},
			Data: map[string][]byte{"password": []byte(hex.EncodeToString(b))}}
		err = k.c.Create(ctx, &secret)
	}
	if err != nil {
		return fmt.Errorf("password Secret %s/%s: %w", k.ns, secretName, err)
	}
	k.password = string(secret.Data["password"])

	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: k.ns, Name: k.name}}
	rf.Spec.Auth.SecretPath = secretName
	rf.Spec.Redis.Replicas = 3
	rf.Spec.Sentinel.Replicas = 3
	rf.Spec.Sentinel.DownAfterMilliseconds = int32(downAfter.Milliseconds())
	rf.Spec.Sentinel.FailoverTimeout = int32(failoverTimeout.Milliseconds())
	if err := k.c.Create(ctx, rf); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating RedisFailover %s/%s: %w", k.ns, k.name, err)
	}
	return nil
}

// usePassword reads the password from an existing Secret (the demo's).
func (k *cluster) usePassword(ctx context.Context, secretName string) error {
	var secret corev1.Secret
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.ns, Name: secretName}, &secret); err != nil {
		return fmt.Errorf("reading the password Secret %s/%s: %w", k.ns, secretName, err)
	}
	k.password = string(secret.Data["password"])
	return nil
}

func (k *cluster) deleteNamespace(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: k.ns}}
	if err := k.c.Delete(ctx, ns); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return poll(ctx, 3*time.Minute, func(ctx context.Context) error {
		err := k.c.Get(ctx, client.ObjectKey{Name: k.ns}, &corev1.Namespace{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("namespace %s still exists", k.ns)
	})
}

// poll checks cond every 100 ms until it returns nil or timeout passes; the error says why it
// did not hold the last time.
func poll(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) error) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = cond(ctx)
		return last == nil, nil
	})
	if err != nil && last != nil {
		return fmt.Errorf("%w: %w", err, last)
	}
	return err
}

// steady is a RedisFailover at rest: Ready at its generation, every Redis pod Ready and not
// terminating, the StatefulSet at its replica count and revision, and one pod labelled master.
type steady struct {
	rf     *redisv1alpha1.RedisFailover
	pods   []corev1.Pod // Redis pods by name
	master corev1.Pod
}

// masterName is the name the RedisFailover's sentinels monitor the master under (in force:
// status.masterName, else the default).
func (k *cluster) masterName(ctx context.Context) (string, error) {
	rf := &redisv1alpha1.RedisFailover{}
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.ns, Name: k.name}, rf); err != nil {
		return "", fmt.Errorf("reading RedisFailover %s/%s for its master name: %w", k.ns, k.name, err)
	}
	return rf.MasterName(), nil
}

func (k *cluster) checkSteady(ctx context.Context) (steady, error) {
	var st steady
	rf := &redisv1alpha1.RedisFailover{}
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.ns, Name: k.name}, rf); err != nil {
		return st, err
	}
	c := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady)
	if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != rf.Generation {
		return st, fmt.Errorf("not Ready at generation %d: %+v", rf.Generation, c)
	}
	var sts appsv1.StatefulSet
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.ns, Name: "rfr-" + k.name}, &sts); err != nil {
		return st, err
	}
	want := *sts.Spec.Replicas
	if sts.Status.ObservedGeneration < sts.Generation || sts.Status.ReadyReplicas != want || sts.Status.UpdatedReplicas != want ||
		sts.Status.CurrentRevision != sts.Status.UpdateRevision || want != rf.Spec.Redis.Replicas {
		return st, fmt.Errorf("StatefulSet: ready %d, updated %d of %d (spec.redis.replicas %d), revision %s -> %s",
			sts.Status.ReadyReplicas, sts.Status.UpdatedReplicas, want, rf.Spec.Redis.Replicas, sts.Status.CurrentRevision, sts.Status.UpdateRevision)
	}
	pods, err := k.redisPods(ctx)
	if err != nil {
		return st, err
	}
	masters := 0
	for _, p := range pods {
		if !podReady(&p) {
			return st, fmt.Errorf("pod %s is not Ready", p.Name)
		}
		if p.Labels[redisv1alpha1.LabelRole] == string(role.Master) {
			masters++
			st.master = p
		}
	}
	if len(pods) != int(want) || masters != 1 {
		return st, fmt.Errorf("%d Redis pods, %d labelled master", len(pods), masters)
	}
	if rf.Status.Master == nil || rf.Status.Master.Pod != st.master.Name {
		return st, fmt.Errorf("status.master %+v, labelled master %s", rf.Status.Master, st.master.Name)
	}
	// Ready can be left over from before a pod was replaced.
	for _, p := range pods {
		if c.LastTransitionTime.Before(&p.CreationTimestamp) {
			return st, fmt.Errorf("Ready since %s, before pod %s was created", c.LastTransitionTime.Format(time.RFC3339), p.Name)
		}
	}
	st.rf, st.pods = rf, pods
	return st, nil
}

func (k *cluster) waitSteady(ctx context.Context, timeout time.Duration) (steady, error) {
	var st steady
	err := poll(ctx, timeout, func(ctx context.Context) error {
		var err error
		st, err = k.checkSteady(ctx)
		return err
	})
	return st, err
}

func (k *cluster) redisPods(ctx context.Context) ([]corev1.Pod, error) {
	var pods corev1.PodList
	if err := k.c.List(ctx, &pods, client.InNamespace(k.ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: k.name, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentRedis}); err != nil {
		return nil, err
	}
	sort.Slice(pods.Items, func(i, j int) bool { return pods.Items[i].Name < pods.Items[j].Name })
	return pods.Items, nil
}

// labelledMaster is the one pod labelled master and not terminating, or "".
func (k *cluster) labelledMaster(ctx context.Context) (string, error) {
	pods, err := k.redisPods(ctx)
	if err != nil {
		return "", err
	}
	var masters []string
	for _, p := range pods {
		if p.DeletionTimestamp == nil && p.Labels[redisv1alpha1.LabelRole] == string(role.Master) {
			masters = append(masters, p.Name)
		}
	}
	if len(masters) != 1 {
		return "", fmt.Errorf("pods labelled master: %v", masters)
	}
	return masters[0], nil
}

// waitMasterMoved waits until a pod other than old is the one labelled master.
func (k *cluster) waitMasterMoved(ctx context.Context, old string, timeout time.Duration) (string, error) {
	var now string
	err := poll(ctx, timeout, func(ctx context.Context) error {
		m, err := k.labelledMaster(ctx)
		if err != nil {
			return err
		}
		if m == old {
			return fmt.Errorf("%s is still labelled master", old)
		}
		now = m
		return nil
	})
	return now, err
}

// sentinelAddrs are the sentinel Service's ClusterIP and every sentinel pod, host:port.
func (k *cluster) sentinelAddrs(ctx context.Context) (service string, pods []string, err error) {
	var svc corev1.Service
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.ns, Name: "rfs-" + k.name}, &svc); err != nil {
		return "", nil, fmt.Errorf("getting the sentinel Service: %w", err)
	}
	port := strconv.Itoa(redisv1alpha1.SentinelPort)
	var list corev1.PodList
	if err := k.c.List(ctx, &list, client.InNamespace(k.ns), client.MatchingLabels(svc.Spec.Selector)); err != nil {
		return "", nil, err
	}
	for _, p := range list.Items {
		if p.Status.PodIP != "" && p.DeletionTimestamp == nil && podReady(&p) {
			pods = append(pods, net.JoinHostPort(p.Status.PodIP, port))
		}
	}
	sort.Strings(pods)
	return net.JoinHostPort(svc.Spec.ClusterIP, port), pods, nil
}

// killRedis sends SIGKILL to the redis container's process of pod through containerd.
func (k *cluster) killRedis(ctx context.Context, pod *corev1.Pod) error {
	return framework.KillContainer(ctx, k.ctrAddress, pod, "redis")
}

func redisRestarts(p *corev1.Pod) int32 { return framework.ContainerRestarts(p, "redis") }

func podReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// events lists the namespace's Events in time order, as `kubectl get events` would.
func (k *cluster) events(ctx context.Context, since time.Time) ([]corev1.Event, error) {
	var list corev1.EventList
	if err := k.c.List(ctx, &list, client.InNamespace(k.ns)); err != nil {
		return nil, err
	}
	var out []corev1.Event
	for _, e := range list.Items {
		if eventTime(e).After(since) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return eventTime(out[i]).Before(eventTime(out[j])) })
	return out, nil
}

func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	}
	return e.CreationTimestamp.Time
}
