package lifecycle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/docs"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// What docs/quickstart.md installs and creates.
const (
	operatorNamespace = "redis-failover-system"
	operatorRelease   = "redis-failover-operator"
	quickNamespace    = "quickstart"
	quickName         = "cache"
	quickSecret       = "cache-auth"
	crdName           = "redisfailovers.redis.failover.dev"
	// upgradeField is the field the upgrade step's chart adds to the CRD.
	upgradeField = "upgradeCheck"
)

// quickstart is docs/quickstart.md's commands, in order, split into what the steps below need.
type quickstart struct {
	install string   // the helm command
	setUp   []string // create, wait, connect
	cleanUp string
}

func readQuickstart(t *testing.T, root string) quickstart {
	t.Helper()
	blocks, err := docs.Blocks(filepath.Join(root, "docs", "quickstart.md"), "sh", "quickstart")
	if err != nil {
		t.Fatal(err)
	}
	var q quickstart
	for _, b := range blocks {
		switch {
		case strings.HasPrefix(strings.TrimSpace(b.Body), "helm "):
			q.install = b.Body
		case strings.Contains(b.Body, "delete namespace "+quickNamespace):
			q.cleanUp = b.Body
		default:
			q.setUp = append(q.setUp, b.Body)
		}
	}
	if q.install == "" || q.cleanUp == "" || len(q.setUp) < 3 {
		t.Fatalf("docs/quickstart.md: want a helm install block, create/wait/connect blocks and a clean-up block, got %d blocks", len(blocks))
	}
	return q
}

// TestInstallUpgradeUninstallAndKustomize walks the operator's whole life on the local cluster,
// with a checking writer on the quick start's RedisFailover from the first upgrade to the end:
// the quick start exactly as written, every chart template through a server-side dry-run,
// `helm test`, `helm upgrade` to a chart whose CRD gained a field, `helm uninstall` (the CRD,
// the RedisFailover and its data stay, as documented), `kubectl apply --server-side -k
// config/default` alone running a working operator, its removal as documented, and the quick
// start's install and clean-up again.
func TestInstallUpgradeUninstallAndKustomize(t *testing.T) {
	f := framework.New(t, framework.WithScheme(redisv1alpha1.AddToScheme), framework.WithScheme(apiextensionsv1.AddToScheme))
	sh := newShell(t)
	q := readQuickstart(t, sh.root)
	ctx := t.Context()

	// An interrupted earlier run may have left the quick start's namespace behind.
	sh.run(t, 6*time.Minute, "kubectl delete namespace "+quickNamespace+" --ignore-not-found --wait=true --timeout=5m")

	var (
		rfUID  types.UID
		pods   map[string]types.UID
		writer *framework.Writer
	)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"the quick start as written", func(t *testing.T) {
			sh.run(t, 4*time.Minute, q.install)
			var out string
			for _, b := range q.setUp {
				out = sh.run(t, 6*time.Minute, b)
			}
			rf := getRedisFailover(t, f)
			master := masterPod(t, f, rf)
			// The connect step asks a sentinel for the master and writes through the master Service.
			if !strings.Contains(out, master.Status.PodIP) || !strings.Contains(out, "OK") {
				t.Fatalf("the connect step printed %q: want the master's IP %s from the sentinel and OK from SET", out, master.Status.PodIP)
			}
			rfUID, pods = rf.UID, redisPodUIDs(t, f)
		}},
		{"every chart template passes a server-side dry-run", func(t *testing.T) {
			crds := monitoringCRDs(t, sh)
			sh.run(t, 2*time.Minute, "kubectl apply --server-side -f "+crds)
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				if _, err := sh.exec(ctx, t.Logf, "kubectl delete -f "+crds+" --ignore-not-found"); err != nil {
					t.Logf("removing the monitoring CRDs: %v", err)
				}
			})
			sh.run(t, time.Minute, "kubectl wait --for=condition=Established --timeout=60s -f "+crds)
			for _, c := range []struct {
				name      string
				values    string
				wantKinds []string
			}{
				{"defaults", "", []string{"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Deployment", "Service", "ServiceAccount"}},
				{"namespace-scoped", "--set watchNamespace=" + quickNamespace, []string{"role.rbac.authorization.k8s.io/" + operatorRelease}},
				{"everything on", "--set sentinelMetrics=true --set metrics.serviceMonitor.enabled=true --set metrics.sentinelPodMonitor.enabled=true" +
					" --set prometheusRule.enabled=true --set dashboard.enabled=true --set tests.redisFailover.name=" + quickName +
					" --set tests.redisFailover.namespace=" + quickNamespace + " --set tests.redisFailover.passwordSecret=" + quickSecret,
					[]string{"servicemonitor.monitoring.coreos.com/", "podmonitor.monitoring.coreos.com/", "prometheusrule.monitoring.coreos.com/", "configmap/", "pod/"}},
			} {
				// helm template knows nothing of the cluster: it assumes Kubernetes v1.20 (the chart
				// needs 1.30) and no monitoring API (the chart refuses monitors then). The cluster
				// serves both; the dry-run below is what checks the objects against it.
				out := sh.run(t, 2*time.Minute, fmt.Sprintf(`helm template %s charts/redis-failover-operator --namespace %s %s`+
					` --kube-version "$(kubectl version -o json | jq -r .serverVersion.gitVersion)"`+
					` --api-versions monitoring.coreos.com/v1/ServiceMonitor --api-versions monitoring.coreos.com/v1/PodMonitor`+
					` --api-versions monitoring.coreos.com/v1/PrometheusRule`+
					" | kubectl apply --server-side --dry-run=server --force-conflicts --field-manager=chart-dry-run -f -",
					operatorRelease, operatorNamespace, c.values))
				for _, k := range c.wantKinds {
					if !strings.Contains(strings.ToLower(out), strings.ToLower(k)) {
						t.Errorf("%s: the dry-run did not apply a %s:\n%s", c.name, k, out)
					}
				}
			}
		}},
		{"helm test connects to the sentinels", func(t *testing.T) {
			sh.run(t, 4*time.Minute, fmt.Sprintf("helm upgrade %s charts/redis-failover-operator --namespace %s --reuse-values"+
				" --set tests.redisFailover.name=%s --set tests.redisFailover.namespace=%s --set tests.redisFailover.passwordSecret=%s --wait --timeout 3m",
				operatorRelease, operatorNamespace, quickName, quickNamespace, quickSecret))
			out := sh.run(t, 4*time.Minute, fmt.Sprintf("helm test %s --namespace %s --timeout 3m", operatorRelease, operatorNamespace))
			if !regexp.MustCompile(`Phase:\s+Succeeded`).MatchString(out) {
				t.Fatalf("helm test did not succeed:\n%s", out)
			}
			// The test pod runs in the RedisFailover's namespace, where helm test --logs does not look.
			logs := sh.run(t, time.Minute, fmt.Sprintf("kubectl --namespace %s logs %s-test-sentinels", quickNamespace, operatorRelease))
			if !strings.Contains(logs, "OK: master "+quickNamespace+"."+quickName+" is ") {
				t.Fatalf("the helm test pod did not report the master:\n%s", logs)
			}
		}},
		{"helm upgrade to a chart whose CRD gained a field keeps the RedisFailover and accepts the field", func(t *testing.T) {
			writer = startWriter(t, f)
			chart := chartWithExtraCRDField(t, sh.root)
			writer.Mark("helm upgrade with the changed CRD")
			sh.run(t, 4*time.Minute, fmt.Sprintf("helm upgrade %s %s --namespace %s --reuse-values --wait --timeout 3m", operatorRelease, chart, operatorNamespace))
			rf := getRedisFailover(t, f)
			if rf.UID != rfUID {
				t.Fatalf("the RedisFailover was re-created by the upgrade (uid %s, was %s)", rf.UID, rfUID)
			}
			// The field was not there before the upgrade: the API server pruned it. Now it is kept.
			sh.run(t, time.Minute, fmt.Sprintf(`kubectl --namespace %s patch redisfailover %s --type merge -p '{"spec":{"%s":"kept"}}'`, quickNamespace, quickName, upgradeField))
			got := sh.run(t, time.Minute, fmt.Sprintf(`kubectl --namespace %s get redisfailover %s -o jsonpath='{.spec.%s}'`, quickNamespace, quickName, upgradeField))
			if strings.TrimSpace(got) != "kept" {
				t.Fatalf("spec.%s after the upgrade reads %q, want \"kept\": the upgraded CRD did not reach the API server", upgradeField, got)
			}
			waitRedisFailoverReady(t, f, quickNamespace, quickName)
			// Back to the real chart for the steps that follow (the field goes first, so that
			// nothing stored depends on it).
			sh.run(t, time.Minute, fmt.Sprintf(`kubectl --namespace %s patch redisfailover %s --type merge -p '{"spec":{"%s":null}}'`, quickNamespace, quickName, upgradeField))
			sh.run(t, 4*time.Minute, fmt.Sprintf("helm upgrade %s charts/redis-failover-operator --namespace %s --reuse-values --wait --timeout 3m", operatorRelease, operatorNamespace))
			checkPodsKept(t, f, pods)
		}},
		{"helm uninstall removes the operator and keeps the CRD, the RedisFailover and its data", func(t *testing.T) {
			writer.Mark("helm uninstall")
			sh.run(t, 4*time.Minute, fmt.Sprintf("helm uninstall %s --namespace %s --wait --timeout 3m", operatorRelease, operatorNamespace))
			err := f.Client.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: operatorRelease}, &appsv1.Deployment{})
			if !apierrors.IsNotFound(err) {
				t.Fatalf("the operator Deployment after helm uninstall: %v, want not found", err)
			}
			if err := f.Client.Get(ctx, client.ObjectKey{Name: crdName}, &apiextensionsv1.CustomResourceDefinition{}); err != nil {
				t.Fatalf("the CRD after helm uninstall: %v (the chart marks it helm.sh/resource-policy: keep)", err)
			}
			if rf := getRedisFailover(t, f); rf.UID != rfUID {
				t.Fatalf("the RedisFailover after helm uninstall has uid %s, was %s", rf.UID, rfUID)
			}
			checkPodsKept(t, f, pods)
			// With no operator the sentinels still serve the writer.
			writer.WaitWritesAfter(ctx, time.Now(), time.Minute)
		}},
		{"kubectl apply --server-side -k config/default alone runs a working operator", func(t *testing.T) {
			writer.Mark("kubectl apply -k config/default")
			sh.run(t, 2*time.Minute, "kubectl apply --server-side -k config/default")
			sh.run(t, 3*time.Minute, fmt.Sprintf("kubectl --namespace %s rollout status deployment/%s --timeout 3m", operatorNamespace, operatorRelease))
			// Working: an owned object deleted by hand comes back, and the RedisFailover is Ready.
			var svc corev1.Service
			key := client.ObjectKey{Namespace: quickNamespace, Name: "rfrm-" + quickName}
			if err := f.Client.Get(ctx, key, &svc); err != nil {
				t.Fatal(err)
			}
			if err := f.Client.Delete(ctx, &svc); err != nil {
				t.Fatal(err)
			}
			framework.WaitFor(ctx, t, 2*time.Minute, "the kustomize-installed operator to re-create the master Service", func(ctx context.Context) (bool, error) {
				var now corev1.Service
				if err := f.Client.Get(ctx, key, &now); err != nil {
					return false, client.IgnoreNotFound(err)
				}
				return now.UID != svc.UID, nil
			})
			waitRedisFailoverReady(t, f, quickNamespace, quickName)
			// Removing only the operator, as config/default's kustomization documents (delete -k
			// config/default would delete the CRD and every RedisFailover with it).
			// config/manager holds the namespace, which takes the namespaced RBAC objects with it:
			// rbac goes first.
			writer.Mark("kubectl delete -k config/rbac -k config/manager")
			sh.run(t, 4*time.Minute, "kubectl delete -k config/rbac --ignore-not-found --timeout=3m && kubectl delete -k config/manager --ignore-not-found --timeout=3m")
			if err := f.Client.Get(ctx, client.ObjectKey{Name: crdName}, &apiextensionsv1.CustomResourceDefinition{}); err != nil {
				t.Fatalf("the CRD after removing the kustomize-installed operator: %v", err)
			}
			if rf := getRedisFailover(t, f); rf.UID != rfUID {
				t.Fatalf("the RedisFailover after removing the kustomize-installed operator has uid %s, was %s", rf.UID, rfUID)
			}
			checkPodsKept(t, f, pods)
		}},
		{"the quick start's install adopts the RedisFailover again, and nothing acknowledged was lost", func(t *testing.T) {
			writer.Mark("helm install again")
			sh.run(t, 4*time.Minute, q.install)
			waitRedisFailoverReady(t, f, quickNamespace, quickName)
			checkPodsKept(t, f, pods)
			writer.WaitWritesAfter(ctx, time.Now(), time.Minute)
			writer.StopAndVerify(ctx) // fails the test for every acknowledged write missing on the master
		}},
		{"the quick start's clean-up", func(t *testing.T) {
			sh.run(t, 6*time.Minute, q.cleanUp)
			var ns corev1.Namespace
			if err := f.Client.Get(ctx, client.ObjectKey{Name: quickNamespace}, &ns); !apierrors.IsNotFound(err) {
				t.Fatalf("namespace %s after the clean-up: %v, want not found", quickNamespace, err)
			}
		}},
	}
	// One test, not subtests: the checking writer lives from the upgrade to the end, and a
	// subtest's cleanups would stop it when that step ends.
	t.Cleanup(func() {
		if t.Failed() {
			dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			f.DumpNamespace(dctx, t, quickNamespace)
			f.DumpNamespace(dctx, t, operatorNamespace)
			cancel()
		}
	})
	for _, s := range steps {
		t.Logf("step: %s", s.name)
		start := time.Now()
		s.run(t)
		t.Logf("step done in %s: %s", time.Since(start).Round(time.Millisecond), s.name)
	}
}

func getRedisFailover(t *testing.T, f *framework.Framework) *redisv1alpha1.RedisFailover {
	t.Helper()
	rf := &redisv1alpha1.RedisFailover{}
	if err := f.Client.Get(t.Context(), client.ObjectKey{Namespace: quickNamespace, Name: quickName}, rf); err != nil {
		t.Fatalf("the quick start's RedisFailover: %v", err)
	}
	return rf
}

func masterPod(t *testing.T, f *framework.Framework, rf *redisv1alpha1.RedisFailover) *corev1.Pod {
	t.Helper()
	if rf.Status.Master == nil || rf.Status.Master.Pod == "" {
		t.Fatalf("RedisFailover %s/%s names no master in its status", rf.Namespace, rf.Name)
	}
	var p corev1.Pod
	if err := f.Client.Get(t.Context(), client.ObjectKey{Namespace: rf.Namespace, Name: rf.Status.Master.Pod}, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func redisPodUIDs(t *testing.T, f *framework.Framework) map[string]types.UID {
	t.Helper()
	uids := f.PodUIDs(t.Context(), t, quickNamespace, client.MatchingLabels{
		redisv1alpha1.LabelInstance: quickName, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentRedis})
	if len(uids) == 0 {
		t.Fatal("no Redis pods in the quick start's namespace")
	}
	return uids
}

// checkPodsKept fails the test when a Redis pod was replaced: installing, upgrading or removing
// the operator must not restart the data nodes.
func checkPodsKept(t *testing.T, f *framework.Framework, before map[string]types.UID) {
	t.Helper()
	now := redisPodUIDs(t, f)
	for name, uid := range before {
		if now[name] != uid {
			t.Errorf("Redis pod %s was replaced (uid %s, was %s)", name, now[name], uid)
		}
	}
}

func startWriter(t *testing.T, f *framework.Framework) *framework.Writer {
	t.Helper()
	var secret corev1.Secret
	if err := f.Client.Get(t.Context(), client.ObjectKey{Namespace: quickNamespace, Name: quickSecret}, &secret); err != nil {
		t.Fatal(err)
	}
	return f.StartWriter(t, framework.WriterTarget{Namespace: quickNamespace, SentinelService: "rfs-" + quickName,
		MasterName: getRedisFailover(t, f).MasterName(), Password: string(secret.Data["password"])})
}

// chartWithExtraCRDField copies the chart and adds spec.upgradeCheck (a string) to its CRD, as a
// newer release of the chart would add a field; the chart's version moves on too.
func chartWithExtraCRDField(t *testing.T, root string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "redis-failover-operator")
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(root, "charts", "redis-failover-operator"))); err != nil {
		t.Fatal(err)
	}
	crdPath := filepath.Join(dst, "templates", "crds", "redis.failover.dev_redisfailovers.yaml")
	data, err := os.ReadFile(crdPath)
	if err != nil {
		t.Fatal(err)
	}
	var crd map[string]any
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatalf("%s: %v", crdPath, err)
	}
	versions, _, _ := unstructured.NestedSlice(crd, "spec", "versions")
	if len(versions) == 0 {
		t.Fatalf("%s: no spec.versions", crdPath)
	}
	for _, v := range versions {
		path := []string{"schema", "openAPIV3Schema", "properties", "spec", "properties", upgradeField}
		if err := unstructured.SetNestedMap(v.(map[string]any), map[string]any{"type": "string", "description": "A field a newer chart's CRD has."}, path...); err != nil {
			t.Fatal(err)
		}
	}
	if err := unstructured.SetNestedSlice(crd, versions, "spec", "versions"); err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(crd)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(crdPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	chartPath := filepath.Join(dst, "Chart.yaml")
	chart, err := os.ReadFile(chartPath)
	if err != nil {
		t.Fatal(err)
	}
	chart = regexp.MustCompile(`(?m)^version: .*$`).ReplaceAll(chart, []byte("version: 99.0.0-upgrade-check"))
	if err := os.WriteFile(chartPath, chart, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}
