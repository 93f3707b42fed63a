package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// The operator runs as users run it: the Helm chart installs the CRD, RBAC and the operator
// Deployment from the local image, once for the whole suite.
const (
	operatorNamespace = "redis-failover-system"
	operatorRelease   = "redis-failover-operator"
	readyTimeout      = 4 * time.Minute
)

var installOnce struct {
	sync.Once
	err error
}

// installOperator installs or upgrades the chart and waits for the operator to roll out. A
// fresh pod annotation makes every run restart the operator, so it runs the image `make images`
// just loaded under the same tag.
func installOperator(t *testing.T, f *framework.Framework) {
	t.Helper()
	installOnce.Do(func() {
		image := framework.Setting(t, "OPERATOR_IMAGE")
		repo, tag, _ := strings.Cut(image, ":")
		root, err := repoRoot()
		if err != nil {
			installOnce.err = err
			return
		}
		helm := filepath.Join(root, "bin", "helm")
		args := []string{"upgrade", "--install", operatorRelease,
			filepath.Join(root, "charts", "redis-failover-operator"),
			"--namespace", operatorNamespace, "--create-namespace",
			"--set", "image.repository=" + repo, "--set", "image.tag=" + tag,
			"--set-string", "podAnnotations.e2e-run=" + strconv.FormatInt(time.Now().UnixNano(), 10),
			"--set", "logLevel=debug",
			"--set", "sentinelImplementation=" + sentinelImplementation(),
			"--wait", "--timeout", "3m"}
		// Several suites may share the local cluster (a developer and `make test` at once): Helm
		// refuses a release operation while another one is under way, so wait for that to end.
		var out bytes.Buffer
		deadline := time.Now().Add(3 * time.Minute)
		for {
			out.Reset()
			run := exec.Command(helm, args...)
			run.Stdout, run.Stderr = &out, &out
			err = run.Run()
			busy := err != nil && strings.Contains(out.String(), "another operation (install/upgrade/rollback) is in progress")
			if !busy || time.Now().After(deadline) {
				break
			}
			time.Sleep(2 * time.Second)
		}
		if err != nil {
			installOnce.err = fmt.Errorf("helm upgrade --install: %w\n%s", err, out.String())
			return
		}
		installOnce.err = framework.Poll(t.Context(), 2*time.Minute, func(ctx context.Context) (bool, error) {
			var d appsv1.Deployment
			if err := f.Client.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: operatorRelease}, &d); err != nil {
				return false, err
			}
			s := d.Status
			if s.ObservedGeneration < d.Generation || s.UpdatedReplicas != *d.Spec.Replicas || s.AvailableReplicas != *d.Spec.Replicas || s.Replicas != *d.Spec.Replicas {
				return false, fmt.Errorf("operator rollout: updated %d, available %d, total %d of %d", s.UpdatedReplicas, s.AvailableReplicas, s.Replicas, *d.Spec.Replicas)
			}
			return true, nil
		})
	})
	if installOnce.err != nil {
		t.Fatalf("installing the operator: %v", installOnce.err)
	}
}

// sentinelImplementation is the operator's --sentinel-implementation for this run:
// $E2E_SENTINEL_IMPLEMENTATION, or the default (this project's sentinel). `make
// test-e2e-stock-sentinel` runs the readiness and failover tests with stock Redis Sentinel, which
// is how the stock switch the e2e benchmark relies on stays tested.
func sentinelImplementation() string {
	if impl := os.Getenv("E2E_SENTINEL_IMPLEMENTATION"); impl != "" {
		return impl
	}
	return "redis-failover"
}

func repoRoot() (string, error) { return framework.RepoRoot() }

func newFramework(t *testing.T) *framework.Framework {
	f := framework.New(t, framework.WithScheme(redisv1alpha1.AddToScheme),
		framework.WithDumpedStatus(redisv1alpha1.GroupVersion.WithKind("RedisFailover")))
	installOperator(t, f)
	return f
}

func randomPassword(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// createRedisFailover creates a RedisFailover, with a password Secret when password is not "".
// mutate, if any, changes the RedisFailover before it is created.
func createRedisFailover(t *testing.T, f *framework.Framework, ns, name, password string, mutate ...func(*redisv1alpha1.RedisFailover)) *redisv1alpha1.RedisFailover {
	t.Helper()
	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, m := range mutate {
		m(rf)
	}
	if password != "" {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-auth"},
			StringData: map[string]string{"password": password}}
		if err := f.Client.Create(t.Context(), secret); err != nil {
			t.Fatalf("creating Secret: %v", err)
		}
		rf.Spec.Auth.SecretPath = secret.Name
	}
	if err := f.Client.Create(t.Context(), rf); err != nil {
		t.Fatalf("creating RedisFailover %s: %v", name, err)
	}
	return rf
}

// waitReady waits for the Ready condition at the current generation and returns the object.
func waitReady(t *testing.T, f *framework.Framework, ns, name string) *redisv1alpha1.RedisFailover {
	t.Helper()
	rf := &redisv1alpha1.RedisFailover{}
	framework.WaitFor(t.Context(), t, readyTimeout, "RedisFailover "+name+" to be Ready", func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, rf); err != nil {
			return false, err
		}
		c := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != rf.Generation {
			return false, fmt.Errorf("Ready: %+v", c)
		}
		return true, nil
	})
	return rf
}

// waitReadyWithMaster waits until the RedisFailover is Ready with master as its master.
func waitReadyWithMaster(t *testing.T, f *framework.Framework, ns, name, master string) *redisv1alpha1.RedisFailover {
	t.Helper()
	rf := &redisv1alpha1.RedisFailover{}
	framework.WaitFor(t.Context(), t, readyTimeout, "RedisFailover "+name+" to be Ready with master "+master, func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, rf); err != nil {
			return false, err
		}
		c := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != rf.Generation {
			return false, fmt.Errorf("Ready: %+v", c)
		}
		if rf.Status.Master == nil || rf.Status.Master.Pod != master {
			return false, fmt.Errorf("Ready, but status.master is %+v", rf.Status.Master)
		}
		return true, nil
	})
	return rf
}

func TestRedisFailoverSampleBecomesReadyAndServes(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-sample")
	ctx := t.Context()
	password := randomPassword(t)

	start := time.Now()
	createRedisFailover(t, f, ns, "sample", password)
	rf := waitReady(t, f, ns, "sample")
	t.Logf("RedisFailover with auth Ready %.1fs after creation (3 Redis nodes, 3 sentinels)", time.Since(start).Seconds())

	st := rf.Status
	if st.Master == nil || st.Master.IP == "" || st.Sentinels.Summary != "3/3" || len(st.Nodes) != 3 {
		t.Fatalf("Ready status incomplete: master=%+v sentinels=%+v nodes=%+v", st.Master, st.Sentinels, st.Nodes)
	}
	for _, n := range st.Nodes {
		wantRole := role.Replica
		if n.Pod == st.Master.Pod {
			wantRole = role.Master
		}
		if n.Role != wantRole || (wantRole == role.Replica && n.MasterLinkStatus != "up") {
			t.Errorf("node %s: role %s link %q, want %s with link up", n.Pod, n.Role, n.MasterLinkStatus, wantRole)
		}
	}

	// Exactly the master pod carries the master label, which the master Service selects.
	var masters corev1.PodList
	if err := f.Client.List(ctx, &masters, client.InNamespace(ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: "sample", redisv1alpha1.LabelRole: string(role.Master)}); err != nil {
		t.Fatal(err)
	}
	if len(masters.Items) != 1 || masters.Items[0].Name != st.Master.Pod {
		t.Errorf("pods labelled master: %d (%v), want only %s", len(masters.Items), podNames(masters.Items), st.Master.Pod)
	}

	checkPrinterColumns(t, f, ns, "sample", st.Master.Pod)

	// A client inside the cluster: go-redis FailoverClient through the sentinel Service, then a
	// read on every replica the sentinels list.
	out := runSmokeTest(t, f, ns, "rfs-sample:26379", st.MasterName, "sample-auth")
	// The verdict is the last line; go-redis logs its sentinel discovery before it.
	lines := strings.Split(out, "\n")
	if verdict := lines[len(lines)-1]; !strings.HasPrefix(verdict, "ok ") || strings.Count(verdict, ",") != 1 {
		t.Errorf("smoke test verdict %q: want ok with two replicas\n%s", verdict, out)
	}

	// A wrong password is refused by the master, a replica and the sentinels.
	for _, target := range []struct{ host, port string }{
		{"rfrm-sample", "6379"}, {"rfrs-sample", "6379"}, {"rfs-sample", "26379"},
	} {
		res, _ := f.Exec(ctx, ns, st.Master.Pod, "redis", "redis-cli", "--no-auth-warning", "-a", "wrong-"+password,
			"-h", target.host, "-p", target.port, "PING")
		both := res.Stdout + res.Stderr
		if strings.Contains(both, "PONG") || !strings.Contains(both, "WRONGPASS") {
			t.Errorf("PING to %s:%s with a wrong password: %q, want a WRONGPASS refusal", target.host, target.port, both)
		}
		res, _ = f.Exec(ctx, ns, st.Master.Pod, "redis", "redis-cli", "-h", target.host, "-p", target.port, "PING")
		if both := res.Stdout + res.Stderr; strings.Contains(both, "PONG") || !strings.Contains(both, "NOAUTH") {
			t.Errorf("PING to %s:%s without a password: %q, want NOAUTH", target.host, target.port, both)
		}
	}
}

// checkPrinterColumns reads the RedisFailover as `kubectl get rf` does (a server-side Table).
func checkPrinterColumns(t *testing.T, f *framework.Framework, ns, name, master string) {
	t.Helper()
	raw, err := f.Clientset.CoreV1().RESTClient().Get().
		AbsPath("/apis/redis.failover.dev/v1alpha1/namespaces", ns, "redisfailovers", name).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").
		DoRaw(t.Context())
	if err != nil {
		t.Fatalf("getting the RedisFailover as a table: %v", err)
	}
	var table metav1.Table
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range table.ColumnDefinitions {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"Name", "MASTER", "READY", "SENTINELS", "AGE"}) {
		t.Errorf("kubectl get rf columns = %v, want Name MASTER READY SENTINELS AGE", names)
	}
	if len(table.Rows) != 1 || len(table.Rows[0].Cells) < 4 {
		t.Fatalf("table rows: %+v", table.Rows)
	}
	cells := table.Rows[0].Cells
	if cells[1] != master || cells[2] != "True" || cells[3] != "3/3" {
		t.Errorf("kubectl get rf row = %v, want MASTER %s READY True SENTINELS 3/3", cells, master)
	}
	t.Logf("kubectl get rf: %v = %v", names, cells)
}

// runSmokeTest runs `redis-failover smoke-test` in a pod from the operator image and returns
// its output; the password comes from the Secret, as an application would get it.
func runSmokeTest(t *testing.T, f *framework.Framework, ns, sentinel, masterName, secret string) string {
	t.Helper()
	ctx := t.Context()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "smoke-test-"},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{{
				Name:            "client",
				Image:           framework.Setting(t, "OPERATOR_IMAGE"),
				ImagePullPolicy: corev1.PullIfNotPresent,
				Args:            []string{"smoke-test", "--sentinel", sentinel, "--master-name", masterName},
				Env: []corev1.EnvVar{{Name: "REDIS_PASSWORD", ValueFrom: &corev1.EnvVarSource{
					SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: "password"}}}},
			}},
		},
	}
	if err := f.Client.Create(ctx, pod); err != nil {
		t.Fatalf("creating the smoke-test pod: %v", err)
	}
	framework.WaitFor(ctx, t, 2*time.Minute, "the smoke-test pod to finish", func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKeyFromObject(pod), pod); err != nil {
			return false, err
		}
		switch pod.Status.Phase {
		case corev1.PodSucceeded, corev1.PodFailed:
			return true, nil
		}
		return false, fmt.Errorf("phase %s", pod.Status.Phase)
	})
	logs, err := f.Clientset.CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("reading smoke-test logs: %v", err)
	}
	if pod.Status.Phase != corev1.PodSucceeded {
		t.Fatalf("smoke test failed:\n%s", logs)
	}
	return strings.TrimSpace(string(logs))
}

// Two RedisFailovers in one namespace, both with the default master name: each group's
// sentinels know only their own Redis nodes and sentinels, and data written to one never
// appears in the other.
func TestTwoRedisFailoversInOneNamespaceStayApart(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-apart")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "left", "")
	createRedisFailover(t, f, ns, "right", "")
	left := waitReady(t, f, ns, "left")
	right := waitReady(t, f, ns, "right")

	for _, rf := range []*redisv1alpha1.RedisFailover{left, right} {
		redisIPs := podIPs(t, f, ns, rf.Name, redisv1alpha1.ComponentRedis)
		sentinelIPs := podIPs(t, f, ns, rf.Name, redisv1alpha1.ComponentSentinel)
		for _, sentinelIP := range sentinelIPs {
			ask := func(args ...string) []string {
				out, err := redisCLI(ctx, f, ns, rf.Status.Master.Pod, append([]string{"-h", sentinelIP, "-p", "26379"}, args...)...)
				if err != nil {
					t.Fatalf("asking sentinel %s: %v", sentinelIP, err)
				}
				return strings.Fields(out)
			}
			if addr := ask("SENTINEL", "GET-MASTER-ADDR-BY-NAME", rf.Status.MasterName); len(addr) != 2 || addr[0] != rf.Status.Master.IP {
				t.Errorf("%s sentinel %s names master %v, want %s", rf.Name, sentinelIP, addr, rf.Status.Master.IP)
			}
			for _, ip := range fieldValues(ask("SENTINEL", "REPLICAS", rf.Status.MasterName), "ip") {
				if !slices.Contains(redisIPs, ip) {
					t.Errorf("%s sentinel %s knows replica %s, which is not one of its Redis pods %v", rf.Name, sentinelIP, ip, redisIPs)
				}
			}
			for _, ip := range fieldValues(ask("SENTINEL", "SENTINELS", rf.Status.MasterName), "ip") {
				if !slices.Contains(sentinelIPs, ip) {
					t.Errorf("%s sentinel %s knows sentinel %s, which is not one of its sentinel pods %v", rf.Name, sentinelIP, ip, sentinelIPs)
				}
			}
		}
	}

	if out, err := redisCLI(ctx, f, ns, left.Status.Master.Pod, "SET", "only-left", "1"); err != nil || out != "OK" {
		t.Fatalf("SET on left's master: %q %v", out, err)
	}
	framework.WaitFor(ctx, t, 30*time.Second, "the key to reach left's replicas", func(ctx context.Context) (bool, error) {
		for _, n := range left.Status.Nodes {
			if out, err := redisCLI(ctx, f, ns, n.Pod, "GET", "only-left"); err != nil || out != "1" {
				return false, fmt.Errorf("%s: %q %v", n.Pod, out, err)
			}
		}
		return true, nil
	})
	for _, n := range right.Status.Nodes {
		if out, err := redisCLI(ctx, f, ns, n.Pod, "EXISTS", "only-left"); err != nil || out != "0" {
			t.Errorf("right's node %s: EXISTS only-left = %q (%v), want 0", n.Pod, out, err)
		}
	}
}

func TestDeletingRedisFailoverCleansUp(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-delete")
	ctx := t.Context()
	rf := createRedisFailover(t, f, ns, "gone", randomPassword(t))
	waitReady(t, f, ns, "gone")

	if err := f.Client.Delete(ctx, rf); err != nil {
		t.Fatal(err)
	}
	owned := []client.Object{
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "rfr-gone"}},
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "rfs-gone"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "rfr-gone"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "rfs-gone"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "rfr-gone"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "rfs-gone"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "rfrm-gone"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "rfrs-gone"}},
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "rfr-gone"}},
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "rfs-gone"}},
	}
	framework.WaitFor(ctx, t, 2*time.Minute, "every owned object and pod to be gone", func(ctx context.Context) (bool, error) {
		for _, o := range owned {
			err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.GetName()}, o)
			if err == nil {
				return false, fmt.Errorf("%T %s still exists", o, o.GetName())
			}
			if !apierrors.IsNotFound(err) {
				return false, err
			}
		}
		var pods corev1.PodList
		if err := f.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{redisv1alpha1.LabelInstance: "gone"}); err != nil {
			return false, err
		}
		if len(pods.Items) > 0 {
			return false, fmt.Errorf("pods left: %v", podNames(pods.Items))
		}
		return true, nil
	})
	// The Secret is the user's, not the operator's: it stays.
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "gone-auth"}, &corev1.Secret{}); err != nil {
		t.Errorf("the user's Secret was touched by the deletion: %v", err)
	}
}

// startWriter starts the checking writer against a RedisFailover's sentinels, as its clients
// connect: through the sentinel Service, master name from the status, with its password.
func startWriter(t *testing.T, f *framework.Framework, rf *redisv1alpha1.RedisFailover, password string) *framework.Writer {
	t.Helper()
	return f.StartWriter(t, framework.WriterTarget{Namespace: rf.Namespace, SentinelService: "rfs-" + rf.Name,
		MasterName: rf.Status.MasterName, Password: password})
}

func podIPs(t *testing.T, f *framework.Framework, ns, instance, component string) []string {
	t.Helper()
	var pods corev1.PodList
	if err := f.Client.List(t.Context(), &pods, client.InNamespace(ns), client.MatchingLabels{
		redisv1alpha1.LabelInstance: instance, redisv1alpha1.LabelComponent: component}); err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, p := range pods.Items {
		ips = append(ips, p.Status.PodIP)
	}
	return ips
}

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

func podNames(pods []corev1.Pod) []string {
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	return names
}

// fieldValues picks the values of one field out of redis-cli's flat field/value output of
// SENTINEL REPLICAS or SENTINELS (one word per line).
func fieldValues(words []string, field string) []string {
	var values []string
	for i := 0; i+1 < len(words); i++ {
		if words[i] == field {
			values = append(values, words[i+1])
		}
	}
	return values
}

// Deleting the master pod: the sentinels promote a replica, the operator moves the role labels
// (and with them the master Service) to it, and the recreated pod rejoins as a replica of the
// new master, never as a second master. A key written before is still there, and a checking
// writer through the sentinels loses no acknowledged write.
func TestMasterPodDeletedFailsOverAndRejoins(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-failover")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "fo", "")
	rf := waitReady(t, f, ns, "fo")
	old := rf.Status.Master.Pod
	writer := startWriter(t, f, rf, "")
	if out, err := redisCLI(ctx, f, ns, old, "SET", "before-failover", "kept"); err != nil || out != "OK" {
		t.Fatalf("SET on %s: %q %v", old, out, err)
	}
	framework.WaitFor(ctx, t, 30*time.Second, "the key on every replica", func(ctx context.Context) (bool, error) {
		for _, n := range rf.Status.Nodes {
			if out, err := redisCLI(ctx, f, ns, n.Pod, "GET", "before-failover"); err != nil || out != "kept" {
				return false, fmt.Errorf("%s: %q %v", n.Pod, out, err)
			}
		}
		return true, nil
	})

	deleted := writer.Mark("master pod deleted")
	if err := f.Client.Delete(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: old}}); err != nil {
		t.Fatal(err)
	}
	var newMaster string
	framework.WaitFor(ctx, t, 2*time.Minute, "another pod to be labelled master", func(ctx context.Context) (bool, error) {
		var masters corev1.PodList
		if err := f.Client.List(ctx, &masters, client.InNamespace(ns), client.MatchingLabels{
			redisv1alpha1.LabelInstance: "fo", redisv1alpha1.LabelRole: string(role.Master)}); err != nil {
			return false, err
		}
		if len(masters.Items) != 1 || masters.Items[0].Name == old {
			return false, fmt.Errorf("pods labelled master: %v", podNames(masters.Items))
		}
		newMaster = masters.Items[0].Name
		return true, nil
	})
	t.Logf("master label moved from %s to %s %.1fs after the pod was deleted (down-after-milliseconds 3000)", old, newMaster, time.Since(deleted).Seconds())

	// Ready about the new master: the status read right after the labels moved can still be
	// the last one written before the deletion (Ready, naming the old master).
	rf = waitReadyWithMaster(t, f, ns, "fo", newMaster)
	t.Logf("Ready again %.1fs after the master pod was deleted", time.Since(deleted).Seconds())
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)
	if v := writer.StopAndVerify(ctx); v.Master != rf.Status.Master.IP+":6379" {
		t.Errorf("the sentinels name %s master, the status %s", v.Master, rf.Status.Master.IP)
	}
	if rf.Status.Master.Pod != newMaster || rf.Status.LastFailover == nil || rf.Status.LastFailover.From != old || rf.Status.LastFailover.To != newMaster {
		t.Errorf("status after failover: master %+v, lastFailover %+v; want %s -> %s", rf.Status.Master, rf.Status.LastFailover, old, newMaster)
	}
	info, err := redisCLI(ctx, f, ns, old, "INFO", "replication")
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := infoField(info, "role"); role != "slave" {
		t.Errorf("the recreated %s reports role %q, want a replica of %s", old, role, newMaster)
	}
	if host, _ := infoField(info, "master_host"); host != rf.Status.Master.IP {
		t.Errorf("the recreated %s follows %q, want the new master %s", old, host, rf.Status.Master.IP)
	}
	for _, n := range rf.Status.Nodes {
		if out, err := redisCLI(ctx, f, ns, n.Pod, "GET", "before-failover"); err != nil || out != "kept" {
			t.Errorf("%s after the failover: GET before-failover = %q (%v), want kept", n.Pod, out, err)
		}
	}
}

// A change to the pod template (here redis.conf, through the config hash on the pods) reaches
// every pod: replicas restart first, one at a time, then the sentinels are asked for a
// switchover and the old master restarts as a replica. The master Service never selects two
// pods, the data survives, and a checking writer through the sentinels loses no acknowledged
// write.
func TestPodTemplateChangeRollsOutReplicasFirst(t *testing.T) {
	t.Parallel()
	f := newFramework(t)
	ns := f.CreateNamespace(t, "rf-rollout")
	ctx := t.Context()
	createRedisFailover(t, f, ns, "roll", "")
	rf := waitReady(t, f, ns, "roll")
	oldMaster := rf.Status.Master.Pod
	writer := startWriter(t, f, rf, "")
	if out, err := redisCLI(ctx, f, ns, oldMaster, "SET", "before-rollout", "kept"); err != nil || out != "OK" {
		t.Fatalf("SET: %q %v", out, err)
	}

	var before appsv1.StatefulSet
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "rfr-roll"}, &before); err != nil {
		t.Fatal(err)
	}
	oldRevision := before.Status.UpdateRevision
	// A patch, not an update: the operator writes the status all the time, so an update with
	// the resourceVersion read above would conflict.
	patched := rf.DeepCopy()
	// databases is immutable in Redis: it needs a restart, so it changes the pod template (a
	// live setting such as maxmemory would be applied with CONFIG SET instead; see
	// TestLiveSettingChangeRestartsNoPod).
	patched.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"databases 32"}
	if err := f.Client.Patch(ctx, patched, client.MergeFrom(rf)); err != nil {
		t.Fatal(err)
	}
	started := writer.Mark("pod template changed")
	twoMasters := ""
	framework.WaitFor(ctx, t, 6*time.Minute, "every Redis pod at the new revision and the RedisFailover Ready", func(ctx context.Context) (bool, error) {
		var pods corev1.PodList
		if err := f.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{
			redisv1alpha1.LabelInstance: "roll", redisv1alpha1.LabelComponent: redisv1alpha1.ComponentRedis}); err != nil {
			return false, err
		}
		masters := 0
		for _, p := range pods.Items {
			if p.Labels[redisv1alpha1.LabelRole] == string(role.Master) && p.DeletionTimestamp == nil {
				masters++
			}
		}
		if masters > 1 && twoMasters == "" {
			twoMasters = fmt.Sprintf("%d pods labelled master at %.1fs", masters, time.Since(started).Seconds())
		}
		var sts appsv1.StatefulSet
		if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "rfr-roll"}, &sts); err != nil {
			return false, err
		}
		if sts.Status.ObservedGeneration < sts.Generation || sts.Status.UpdateRevision == oldRevision {
			return false, fmt.Errorf("the StatefulSet has no new revision yet (still %s)", oldRevision)
		}
		for _, p := range pods.Items {
			if p.Labels[appsv1.ControllerRevisionHashLabelKey] != sts.Status.UpdateRevision {
				return false, fmt.Errorf("%s still at revision %s, want %s", p.Name, p.Labels[appsv1.ControllerRevisionHashLabelKey], sts.Status.UpdateRevision)
			}
			// The replacement pod exists at the new revision before it runs; the status read
			// below may still describe the pod it replaced.
			if !podReady(&p) {
				return false, fmt.Errorf("%s at the new revision is not ready yet", p.Name)
			}
		}
		if len(pods.Items) != 3 {
			return false, fmt.Errorf("%d Redis pods", len(pods.Items))
		}
		if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), rf); err != nil {
			return false, err
		}
		c := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != rf.Generation {
			return false, fmt.Errorf("not Ready at generation %d: %+v", rf.Generation, c)
		}
		// Ready must have been reached with the last restarted pod in view, not be left over
		// from before it was replaced.
		for _, p := range pods.Items {
			if c.LastTransitionTime.Before(&p.CreationTimestamp) {
				return false, fmt.Errorf("Ready since %s, before %s was created", c.LastTransitionTime, p.Name)
			}
		}
		return true, nil
	})
	t.Logf("rollout of a redis.conf change over 3 nodes took %.1fs", time.Since(started).Seconds())
	writer.WaitWritesAfter(ctx, time.Now(), 30*time.Second)
	if v := writer.StopAndVerify(ctx); v.Master != rf.Status.Master.IP+":6379" {
		t.Errorf("the sentinels name %s master, the status %s", v.Master, rf.Status.Master.IP)
	}
	if twoMasters != "" {
		t.Errorf("the master Service selected more than one pod during the rollout: %s", twoMasters)
	}
	if lf := rf.Status.LastFailover; lf == nil || lf.From != oldMaster || lf.Reason != redisv1alpha1.FailoverReasonSwitchover {
		t.Errorf("lastFailover = %+v, want a Switchover from %s", lf, oldMaster)
	}
	for _, n := range rf.Status.Nodes {
		if out, err := redisCLI(ctx, f, ns, n.Pod, "GET", "before-rollout"); err != nil || out != "kept" {
			t.Errorf("%s after the rollout: GET before-rollout = %q (%v), want kept", n.Pod, out, err)
		}
		if out, err := redisCLI(ctx, f, ns, n.Pod, "CONFIG", "GET", "databases"); err != nil || !strings.HasSuffix(out, "32") {
			t.Errorf("%s after the rollout: databases %q (%v), want 32", n.Pod, out, err)
		}
	}
}
