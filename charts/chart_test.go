// Package charts_test renders the Helm chart with `helm template` (the real helm binary, no
// cluster) under combinations of values and checks the objects it produces.
package charts_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/failover-dev/redis-failover-operator/test/toolbin"
)

const chartDir = "redis-failover-operator"

// monitoringAPIs makes helm template believe the cluster serves the Prometheus Operator's API.
var monitoringAPIs = []string{
	"--api-versions", "monitoring.coreos.com/v1/ServiceMonitor",
	"--api-versions", "monitoring.coreos.com/v1/PodMonitor",
	"--api-versions", "monitoring.coreos.com/v1/PrometheusRule",
}

// kubernetesVersion is KUBERNETES_VERSION from hack/versions.env.
func kubernetesVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "hack", "versions.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "KUBERNETES_VERSION="); ok {
			return v
		}
	}
	t.Fatalf("hack/versions.env sets no KUBERNETES_VERSION")
	return ""
}

// helmTemplate runs helm template on the chart and returns stdout, stderr and the error.
func helmTemplate(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	// helm template assumes an old Kubernetes unless told; render for the version the project pins.
	cmd := exec.Command(toolbin.Path(t, "HELM", "helm", "helm"), append([]string{"template", "rfo", chartDir, "--namespace", "rfo-system",
		"--kube-version", kubernetesVersion(t)}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// render renders the chart and decodes every object; it fails the test when helm fails.
func render(t *testing.T, args ...string) []*unstructured.Unstructured {
	t.Helper()
	out, stderr, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", args, err, stderr)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(out), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("decoding helm template output: %v\n%s", err, out)
		}
		if m == nil {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	return objs
}

func kinds(objs []*unstructured.Unstructured) []string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, o.GetKind())
	}
	slices.Sort(ks)
	return ks
}

// only returns the one object of a kind (and name, when given); it fails when there is not exactly one.
func only(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind && (name == "" || o.GetName() == name) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one %s %q, got %d (kinds: %v)", kind, name, len(found), kinds(objs))
	}
	return found[0]
}

func none(t *testing.T, objs []*unstructured.Unstructured, kind string) {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind {
			t.Errorf("want no %s, got %s/%s", kind, o.GetNamespace(), o.GetName())
		}
	}
}

func readYAML(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func managerContainer(t *testing.T, objs []*unstructured.Unstructured) map[string]any {
	t.Helper()
	d := only(t, objs, "Deployment", "rfo")
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, c := range cs {
		if m := c.(map[string]any); m["name"] == "manager" {
			return m
		}
	}
	t.Fatalf("the Deployment has no manager container: %v", cs)
	return nil
}

func args(t *testing.T, c map[string]any) []string {
	t.Helper()
	as, _, err := unstructured.NestedStringSlice(c, "args")
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestDefaultsAreClusterWideAndKeepTheSecurityContext(t *testing.T) {
	objs := render(t)
	want := []string{"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"}
	if got := kinds(objs); !slices.Equal(got, want) {
		t.Fatalf("kinds = %v, want %v", got, want)
	}
	crd := only(t, objs, "CustomResourceDefinition", "redisfailovers.redis.failover.dev")
	if got := crd.GetAnnotations()["helm.sh/resource-policy"]; got != "keep" {
		t.Errorf("CRD annotation helm.sh/resource-policy = %q, want keep (uninstall must not delete every RedisFailover)", got)
	}
	rules, _, _ := unstructured.NestedSlice(only(t, objs, "ClusterRole", "rfo").Object, "rules")
	if wantRules := readYAML(t, filepath.Join(chartDir, "files", "operator-rules.yaml")); !jsonEqual(t, rules, wantRules) {
		t.Errorf("ClusterRole rules differ from files/operator-rules.yaml:\n%v", rules)
	}

	d := only(t, objs, "Deployment", "rfo")
	pod, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec", "securityContext")
	if pod["runAsNonRoot"] != true || fmt.Sprint(pod["runAsUser"]) != "65532" {
		t.Errorf("pod securityContext = %v, want runAsNonRoot true and runAsUser 65532", pod)
	}
	c := managerContainer(t, objs)
	sc, _, _ := unstructured.NestedMap(c, "securityContext")
	if sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false {
		t.Errorf("container securityContext = %v, want readOnlyRootFilesystem true, allowPrivilegeEscalation false", sc)
	}
	if drop, _, _ := unstructured.NestedStringSlice(sc, "capabilities", "drop"); !slices.Equal(drop, []string{"ALL"}) {
		t.Errorf("capabilities.drop = %v, want [ALL]", drop)
	}
	for _, a := range args(t, c) {
		if strings.HasPrefix(a, "--watch-namespace") || strings.HasPrefix(a, "--sentinel-metrics") {
			t.Errorf("default render passes %s: the defaults are every namespace and no sentinel metrics", a)
		}
	}
}

func TestWatchNamespaceUsesRoleAndRoleBindingOnly(t *testing.T) {
	objs := render(t, "--set", "watchNamespace=apps")
	none(t, objs, "ClusterRole")
	none(t, objs, "ClusterRoleBinding")
	role := only(t, objs, "Role", "rfo")
	if role.GetNamespace() != "apps" {
		t.Errorf("Role namespace = %q, want apps", role.GetNamespace())
	}
	rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
	if !jsonEqual(t, rules, readYAML(t, filepath.Join(chartDir, "files", "operator-rules.yaml"))) {
		t.Errorf("Role rules differ from files/operator-rules.yaml:\n%v", rules)
	}
	rb := only(t, objs, "RoleBinding", "rfo")
	if rb.GetNamespace() != "apps" {
		t.Errorf("RoleBinding namespace = %q, want apps", rb.GetNamespace())
	}
	if kind, _, _ := unstructured.NestedString(rb.Object, "roleRef", "kind"); kind != "Role" {
		t.Errorf("RoleBinding roleRef.kind = %q, want Role", kind)
	}
	subjects, _, _ := unstructured.NestedSlice(rb.Object, "subjects")
	if len(subjects) != 1 || subjects[0].(map[string]any)["namespace"] != "rfo-system" || subjects[0].(map[string]any)["name"] != "rfo" {
		t.Errorf("RoleBinding subjects = %v, want the ServiceAccount rfo-system/rfo", subjects)
	}
	// The only cluster-scoped object left is the CRD itself.
	for _, o := range objs {
		if o.GetNamespace() == "" && o.GetKind() != "CustomResourceDefinition" {
			t.Errorf("%s %s is cluster-scoped in namespace mode", o.GetKind(), o.GetName())
		}
	}
	if !slices.Contains(args(t, managerContainer(t, objs)), "--watch-namespace=apps") {
		t.Errorf("manager args %v lack --watch-namespace=apps", args(t, managerContainer(t, objs)))
	}
}

func TestMonitoringObjectsShipTheTestedRulesAndDashboard(t *testing.T) {
	objs := render(t, append([]string{
		"--set", "metrics.serviceMonitor.enabled=true",
		"--set", "metrics.serviceMonitor.labels.release=prom",
		"--set", "metrics.sentinelPodMonitor.enabled=true",
		"--set", "sentinelMetrics=true",
		"--set", "prometheusRule.enabled=true",
		"--set", "dashboard.enabled=true",
		"--set", "dashboard.namespace=grafana",
	}, monitoringAPIs...)...)

	sm := only(t, objs, "ServiceMonitor", "rfo")
	if sm.GetLabels()["release"] != "prom" {
		t.Errorf("ServiceMonitor labels = %v, want release=prom among them", sm.GetLabels())
	}
	smSel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	svc := only(t, objs, "Service", "rfo-metrics")
	svcLabels := svc.GetLabels()
	for k, v := range smSel {
		if svcLabels[k] != v {
			t.Errorf("ServiceMonitor selects %s=%s, the metrics Service has %s=%q", k, v, k, svcLabels[k])
		}
	}
	eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	if len(eps) != 1 || len(ports) != 1 || eps[0].(map[string]any)["port"] != ports[0].(map[string]any)["name"] {
		t.Errorf("ServiceMonitor endpoints %v do not name the metrics Service's port %v", eps, ports)
	}

	if !slices.Contains(args(t, managerContainer(t, objs)), "--sentinel-metrics=true") {
		t.Errorf("sentinelMetrics=true: manager args %v lack --sentinel-metrics=true", args(t, managerContainer(t, objs)))
	}
	pm := only(t, objs, "PodMonitor", "rfo-sentinels")
	if any, _, _ := unstructured.NestedBool(pm.Object, "spec", "namespaceSelector", "any"); !any {
		t.Errorf("sentinel PodMonitor namespaceSelector = %v, want any: true in cluster-wide mode", pm.Object["spec"])
	}

	pr := only(t, objs, "PrometheusRule", "rfo")
	spec, _, _ := unstructured.NestedMap(pr.Object, "spec")
	if !jsonEqual(t, spec, readYAML(t, filepath.Join(chartDir, "files", "prometheus-rules.yaml"))) {
		t.Errorf("PrometheusRule spec differs from files/prometheus-rules.yaml (the file make test-alerts tests)")
	}
	groups, _, _ := unstructured.NestedSlice(spec, "groups")
	var alerts []string
	for _, g := range groups {
		for _, r := range g.(map[string]any)["rules"].([]any) {
			alerts = append(alerts, r.(map[string]any)["alert"].(string))
		}
	}
	for _, a := range []string{"RedisFailoverNoMaster", "RedisFailoverFailoverHappened", "RedisFailoverReplicasOutOfSync",
		"RedisFailoverSentinelsDisagree", "RedisFailoverSentinelsBelowQuorum", "RedisFailoverReconcileErrors"} {
		if !slices.Contains(alerts, a) {
			t.Errorf("PrometheusRule lacks alert %s (has %v)", a, alerts)
		}
	}
	// The Prometheus templates in the annotations reach the cluster as they are.
	if b, _ := json.Marshal(spec); !strings.Contains(string(b), "{{ $labels.namespace }}") {
		t.Errorf("PrometheusRule annotations lost their {{ $labels.namespace }} templates")
	}

	cm := only(t, objs, "ConfigMap", "rfo-dashboard")
	if cm.GetNamespace() != "grafana" || cm.GetLabels()["grafana_dashboard"] != "1" {
		t.Errorf("dashboard ConfigMap %s with labels %v, want namespace grafana and grafana_dashboard=1", cm.GetNamespace(), cm.GetLabels())
	}
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	docs, err := os.ReadFile(filepath.Join("..", "docs", "dashboards", "redis-failover.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The ConfigMap drops the file's final newline (a |- block); otherwise the two are the same bytes.
	if data["redis-failover.json"] != strings.TrimSuffix(string(docs), "\n") {
		t.Errorf("the dashboard in the chart differs from docs/dashboards/redis-failover.json: copy one over the other")
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal([]byte(data["redis-failover.json"]), &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	exprs := map[string]string{}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs[p.Title] += tg.Expr + "\n"
		}
	}
	for title, metric := range map[string]string{
		"Master changes":     "redisfailover_has_master",
		"Failovers":          "redisfailover_failovers_total",
		"Reconcile errors":   "redisfailover_reconcile_errors_total",
		"Replicas in sync":   "redisfailover_replicas_in_sync",
		"Sentinel agreement": "redisfailover_sentinels_agreeing",
	} {
		if !strings.Contains(exprs[title], metric) {
			t.Errorf("dashboard panel %q does not query %s (queries: %q)", title, metric, exprs[title])
		}
	}
}

func TestSentinelPodMonitorFollowsWatchNamespace(t *testing.T) {
	objs := render(t, append([]string{"--set", "metrics.sentinelPodMonitor.enabled=true", "--set", "watchNamespace=apps"}, monitoringAPIs...)...)
	names, _, _ := unstructured.NestedStringSlice(only(t, objs, "PodMonitor", "rfo-sentinels").Object, "spec", "namespaceSelector", "matchNames")
	if !slices.Equal(names, []string{"apps"}) {
		t.Errorf("PodMonitor namespaceSelector.matchNames = %v, want [apps]", names)
	}
}

func TestMonitoringWithoutThePrometheusOperatorAPIIsRefused(t *testing.T) {
	for _, value := range []string{"metrics.serviceMonitor.enabled", "metrics.sentinelPodMonitor.enabled", "prometheusRule.enabled"} {
		t.Run(value, func(t *testing.T) {
			_, stderr, err := helmTemplate(t, "--set", value+"=true")
			if err == nil {
				t.Fatalf("helm template --set %s=true succeeded without the monitoring.coreos.com/v1 API", value)
			}
			if !strings.Contains(stderr, value+" is true but the cluster serves no monitoring.coreos.com/v1") {
				t.Errorf("the error does not say what is missing and which value to change:\n%s", stderr)
			}
		})
	}
}

// Stock Redis Sentinel has no metrics endpoint; the operator would exit at start, so the chart
// refuses the combination at install time with the values to change.
func TestSentinelMetricsWithStockSentinelIsRefused(t *testing.T) {
	_, stderr, err := helmTemplate(t, "--set", "sentinelMetrics=true", "--set", "sentinelImplementation=redis-sentinel")
	if err == nil {
		t.Fatal("helm template with sentinelMetrics=true and sentinelImplementation=redis-sentinel succeeded")
	}
	if !strings.Contains(stderr, "sentinelMetrics is true but sentinelImplementation is redis-sentinel") {
		t.Errorf("the error does not name both values:\n%s", stderr)
	}
	args := args(t, managerContainer(t, render(t, "--set", "sentinelImplementation=redis-sentinel")))
	if !slices.Contains(args, "--sentinel-implementation=redis-sentinel") || slices.Contains(args, "--sentinel-metrics=true") {
		t.Errorf("sentinelImplementation=redis-sentinel: manager args %v, want --sentinel-implementation=redis-sentinel and no --sentinel-metrics", args)
	}
}

func TestSchemaRefusesWrongTypesNamingTheField(t *testing.T) {
	for _, tc := range []struct{ flag, value, field string }{
		{"--set", "replicaCount=two", "replicaCount"},
		{"--set-string", "leaderElection=yes", "leaderElection"},
		{"--set", "redisTimeout=soon", "redisTimeout"},
		{"--set", "image.pullPolicy=Sometimes", "pullPolicy"},
		{"--set", "metrics.serviceMonitor.enabled=maybe", "enabled"},
		{"--set", "watchNamespace=Not_A_Namespace", "watchNamespace"},
		{"--set", "replicaCont=2", "replicaCont"},
		{"--set", "sentinelImplementation=keydb", "sentinelImplementation"},
		{"--set-string", "sentinelMetrics=yes", "sentinelMetrics"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			_, stderr, err := helmTemplate(t, tc.flag, tc.value)
			if err == nil {
				t.Fatalf("helm template %s %s succeeded; the schema should refuse it", tc.flag, tc.value)
			}
			if !strings.Contains(stderr, "values don't meet the specifications of the schema") || !strings.Contains(stderr, tc.field) {
				t.Errorf("the schema error does not name %s:\n%s", tc.field, stderr)
			}
		})
	}
}

func TestHelmTestPodAsksTheSentinels(t *testing.T) {
	if objs := render(t); slices.Contains(kinds(objs), "Pod") {
		t.Fatalf("a test Pod is rendered without tests.redisFailover.name")
	}
	objs := render(t, "--set", "tests.redisFailover.name=cache", "--set", "tests.redisFailover.namespace=shop",
		"--set", "tests.redisFailover.passwordSecret=cache-auth")
	pod := only(t, objs, "Pod", "rfo-test-sentinels")
	if pod.GetAnnotations()["helm.sh/hook"] != "test" || pod.GetNamespace() != "shop" {
		t.Errorf("test Pod %s with annotations %v, want namespace shop and helm.sh/hook: test", pod.GetNamespace(), pod.GetAnnotations())
	}
	cs, _, _ := unstructured.NestedSlice(pod.Object, "spec", "containers")
	c := cs[0].(map[string]any)
	cmd, _, _ := unstructured.NestedStringSlice(c, "command")
	script, err := os.ReadFile(filepath.Join(chartDir, "files", "test-sentinels.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmd) != 4 || cmd[0] != "sh" || cmd[1] != "-c" || cmd[2] != string(script) {
		t.Errorf("test Pod command is not sh -c files/test-sentinels.sh: %q", cmd)
	}
	if got := args(t, c); !slices.Equal(got, []string{"rfs-cache", "shop.cache"}) {
		t.Errorf("test Pod args = %v, want the sentinel Service rfs-cache and the default master name shop.cache", got)
	}
	// A RedisFailover created before the namespaced default keeps its name: the value says so.
	objs = render(t, "--set", "tests.redisFailover.name=cache", "--set", "tests.redisFailover.masterName=cache")
	cs, _, _ = unstructured.NestedSlice(only(t, objs, "Pod", "rfo-test-sentinels").Object, "spec", "containers")
	if got := args(t, cs[0].(map[string]any)); !slices.Equal(got, []string{"rfs-cache", "cache"}) {
		t.Errorf("test Pod args with tests.redisFailover.masterName=cache: %v", got)
	}
	env, _, _ := unstructured.NestedSlice(c, "env")
	if b, _ := json.Marshal(env); !strings.Contains(string(b), `"name":"REDISCLI_AUTH"`) || !strings.Contains(string(b), `"name":"cache-auth"`) {
		t.Errorf("test Pod env = %s, want REDISCLI_AUTH from the Secret cache-auth", b)
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var na, nb any
	_ = json.Unmarshal(ja, &na)
	_ = json.Unmarshal(jb, &nb)
	ca, _ := json.Marshal(na)
	cb, _ := json.Marshal(nb)
	return bytes.Equal(ca, cb)
}
