package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

const (
	operatorMetricsPort = 8080
	failoverAlert       = "RedisFailoverFailoverHappened"
)

// TestFailoverAlertFiresInPrometheus runs a real Prometheus (Debian's, on the host) that scrapes
// the operator and the sentinels of a RedisFailover as the chart's ServiceMonitor and PodMonitor
// would (the target's namespace as a label) and evaluates the chart's alert rules
// (charts/redis-failover-operator/files/prometheus-rules.yaml, the file the PrometheusRule
// carries). Before anything happens no alert fires for the RedisFailover; after its master's
// Redis is SIGKILLed the failover alert fires.
func TestFailoverAlertFiresInPrometheus(t *testing.T) {
	f := framework.New(t, framework.WithScheme(redisv1alpha1.AddToScheme))
	sh := newShell(t)
	ctx := t.Context()
	ctrAddress, err := framework.ContainerdAddress()
	if err != nil {
		t.Fatal(err)
	}
	// The operator as the quick start installs it, with the sentinels' metrics on.
	sh.run(t, 4*time.Minute, fmt.Sprintf("helm upgrade --install %s charts/redis-failover-operator --namespace %s --create-namespace"+
		" --reuse-values --set sentinelMetrics=true --wait --timeout 3m", operatorRelease, operatorNamespace))

	ns := f.CreateNamespace(t, "alerts")
	const name, password = "alerts", "alerts-password"
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alerts-auth"},
		StringData: map[string]string{"password": password}}
	if err := f.Client.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	rf.Spec.Auth.SecretPath = secret.Name
	rf.Spec.Sentinel.DownAfterMilliseconds = 3000
	if err := f.Client.Create(ctx, rf); err != nil {
		t.Fatal(err)
	}
	framework.WaitFor(ctx, t, 5*time.Minute, "RedisFailover "+ns+"/"+name+" Ready", func(ctx context.Context) (bool, error) {
		if err := f.Client.Get(ctx, client.ObjectKeyFromObject(rf), rf); err != nil {
			return false, err
		}
		c := meta.FindStatusCondition(rf.Status.Conditions, redisv1alpha1.ConditionReady)
		return c != nil && c.Status == metav1.ConditionTrue, nil
	})

	operators := podAddrs(t, f, operatorNamespace, map[string]string{"app.kubernetes.io/name": "redis-failover-operator"}, operatorMetricsPort)
	sentinels := podAddrs(t, f, ns, map[string]string{redisv1alpha1.LabelInstance: name, redisv1alpha1.LabelComponent: redisv1alpha1.ComponentSentinel}, render.SentinelMetricsPort)
	prom := startPrometheus(t, sh.root, ns, operators, sentinels)

	// Every target is scraped and the operator reports this RedisFailover.
	framework.WaitFor(ctx, t, 2*time.Minute, "every target up and the operator's series for "+ns+"/"+name, func(ctx context.Context) (bool, error) {
		up, err := prom.query(ctx, `count(up == 1)`)
		if err != nil || len(up) == 0 || up[0] != float64(len(operators)+len(sentinels)) {
			return false, err
		}
		ready, err := prom.query(ctx, fmt.Sprintf(`max(redisfailover_ready{namespace=%q,name=%q})`, ns, name))
		if err != nil || len(ready) == 0 {
			return false, err
		}
		ok, err := prom.query(ctx, fmt.Sprintf(`count(redis_failover_sentinel_master_state{namespace=%q,state="ok"} == 1)`, ns))
		return err == nil && len(ok) == 1 && ok[0] == float64(len(sentinels)), err
	})
	// Nothing happened yet: after three evaluations of the rules with every series present, no
	// alert fires for this RedisFailover.
	settled := time.Now()
	framework.WaitFor(ctx, t, time.Minute, "three rule evaluations after the series appeared", func(ctx context.Context) (bool, error) {
		last, err := prom.lastEvaluation(ctx)
		return err == nil && last.After(settled.Add(3*time.Second)), err
	})
	if firing, err := prom.firing(ctx, ns); err != nil {
		t.Fatal(err)
	} else if len(firing) > 0 {
		t.Fatalf("before any failover, alerts fire for %s: %v", ns, firing)
	}

	w := f.StartWriter(t, framework.WriterTarget{Namespace: ns, SentinelService: "rfs-" + name, MasterName: rf.MasterName(), Password: password})
	var master corev1.Pod
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: rf.Status.Master.Pod}, &master); err != nil {
		t.Fatal(err)
	}
	killed := w.Mark("master's Redis SIGKILLed")
	if err := framework.KillContainer(ctx, ctrAddress, &master, "redis"); err != nil {
		t.Fatal(err)
	}
	framework.WaitFor(ctx, t, 3*time.Minute, failoverAlert+" firing for "+ns+"/"+name, func(ctx context.Context) (bool, error) {
		firing, err := prom.firing(ctx, ns)
		for _, a := range firing {
			if a == failoverAlert+"/"+name {
				return true, nil
			}
		}
		return false, err
	})
	t.Logf("%s fired %s after the kill", failoverAlert, time.Since(killed).Round(time.Millisecond))
	w.WaitWritesAfter(ctx, time.Now(), 2*time.Minute)
	w.StopAndVerify(ctx)
}

func podAddrs(t *testing.T, f *framework.Framework, ns string, labels map[string]string, port int) []string {
	t.Helper()
	var pods corev1.PodList
	if err := f.Client.List(t.Context(), &pods, client.InNamespace(ns), client.MatchingLabels(labels)); err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, p := range pods.Items {
		if p.Status.PodIP != "" && p.DeletionTimestamp == nil {
			addrs = append(addrs, net.JoinHostPort(p.Status.PodIP, strconv.Itoa(port)))
		}
	}
	if len(addrs) == 0 {
		t.Fatalf("no pods with %v in %s", labels, ns)
	}
	return addrs
}

// prometheus is a Prometheus server on the host, for one test.
type prometheus struct {
	base string
}

// startPrometheus writes a configuration that scrapes the operators and the sentinels every
// second and evaluates the chart's rules every second, starts Debian's prometheus on a free
// loopback port and waits until it is ready. The sentinel targets carry the namespace label a
// PodMonitor would give them (the sentinel alerts group by it).
func startPrometheus(t *testing.T, root, ns string, operators, sentinels []string) *prometheus {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus not found (hack/toolchain.sh debian installs Debian's prometheus package): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	quote := func(addrs []string) string { return `"` + strings.Join(addrs, `", "`) + `"` }
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: operator
    static_configs:
      - targets: [%s]
  - job_name: sentinels
    static_configs:
      - targets: [%s]
        labels:
          namespace: %q
`, filepath.Join(root, "charts", "redis-failover-operator", "files", "prometheus-rules.yaml"), quote(operators), quote(sentinels), ns)
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+configPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			if data, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("prometheus log:\n%s", data)
			}
		}
	})
	p := &prometheus{base: "http://" + addr}
	framework.WaitFor(t.Context(), t, time.Minute, "prometheus ready at "+addr, func(ctx context.Context) (bool, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/-/ready", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, nil // not listening yet
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	return p
}

func (p *prometheus) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// query evaluates an instant PromQL query and returns the samples' values.
func (p *prometheus) query(ctx context.Context, q string) ([]float64, error) {
	var r struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := p.get(ctx, "/api/v1/query?query="+url.QueryEscape(q), &r); err != nil {
		return nil, err
	}
	var out []float64
	for _, s := range r.Data.Result {
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v: %w", q, s.Value[1], err)
		}
		out = append(out, v)
	}
	return out, nil
}

// lastEvaluation is the oldest last evaluation time among the rule groups.
func (p *prometheus) lastEvaluation(ctx context.Context) (time.Time, error) {
	var r struct {
		Data struct {
			Groups []struct {
				Name           string    `json:"name"`
				LastEvaluation time.Time `json:"lastEvaluation"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := p.get(ctx, "/api/v1/rules", &r); err != nil {
		return time.Time{}, err
	}
	if len(r.Data.Groups) == 0 {
		return time.Time{}, fmt.Errorf("prometheus loaded no rule groups")
	}
	oldest := r.Data.Groups[0].LastEvaluation
	for _, g := range r.Data.Groups[1:] {
		if g.LastEvaluation.Before(oldest) {
			oldest = g.LastEvaluation
		}
	}
	return oldest, nil
}

// firing lists the alerts firing for namespace ns, as "alertname/name" (name is the
// RedisFailover's, or the master name for the sentinel alerts).
func (p *prometheus) firing(ctx context.Context, ns string) ([]string, error) {
	var r struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := p.get(ctx, "/api/v1/alerts", &r); err != nil {
		return nil, err
	}
	var out []string
	for _, a := range r.Data.Alerts {
		if a.State != "firing" || a.Labels["namespace"] != ns {
			continue
		}
		id := a.Labels["name"]
		if id == "" {
			id = a.Labels["master"]
		}
		out = append(out, a.Labels["alertname"]+"/"+id)
	}
	return out, nil
}
