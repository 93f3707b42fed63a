package sentinel_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel"
)

// metricsSentinel starts a master, replicas with the given priorities, and one of our sentinels
// serving metrics on a free port; it returns the master and the metrics URL.
func metricsSentinel(t *testing.T, priorities ...int) (*redistest.Server, []*redistest.Server, string) {
	t.Helper()
	master := redistest.StartServer(t, redistest.ServerOptions{})
	var replicas []*redistest.Server
	var procs []*redistest.Process
	for _, p := range priorities {
		r := redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: master.Process, ReplicaPriority: redistest.Priority(p)})
		replicas = append(replicas, r)
		procs = append(procs, r.Process)
	}
	redistest.WaitReplicaOnline(t, 20*time.Second, master.Process, procs...)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(redistest.FreePort(t, "127.0.0.1")))
	s := redistest.StartSentinel(t, redistest.SentinelOptions{
		Binary: sentinelBinary,
		Args:   []string{"--metrics-addr", addr},
		Monitors: []redistest.Monitor{{Name: masterName, Master: master.Process, Quorum: 1,
			DownAfter: 500 * time.Millisecond, FailoverTimeout: 10 * time.Second}},
	})
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, master.Process, len(replicas), 0, s)
	return master, replicas, "http://" + addr + "/metrics"
}

// scrape fetches and parses the metrics in the Prometheus text format.
func scrape(ctx context.Context, url string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	return parser.TextToMetricFamilies(resp.Body)
}

// value is the sample of family name whose labels include want; ok is false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		match := true
		for k, v := range want {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		}
	}
	return 0, false
}

// waitMetrics polls the endpoint until every expectation holds.
func waitMetrics(t *testing.T, url, what string, expect func(map[string]*dto.MetricFamily) error) {
	t.Helper()
	poll.Eventually(t, 30*time.Second, what, func(ctx context.Context) error {
		fams, err := scrape(ctx, url)
		if err != nil {
			return err
		}
		return expect(fams)
	})
}

func equal(fams map[string]*dto.MetricFamily, name string, labels map[string]string, want float64) error {
	got, ok := value(fams, name, labels)
	if !ok {
		return fmt.Errorf("no sample %s%v", name, labels)
	}
	if got != want {
		return fmt.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
	return nil
}

func TestMetricsAcrossAFailover(t *testing.T) {
	master, replicas, url := metricsSentinel(t, 100)
	m := map[string]string{"master": masterName}
	waitMetrics(t, url, "healthy metrics", func(f map[string]*dto.MetricFamily) error {
		for _, c := range []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{sentinel.MetricMasterState, map[string]string{"master": masterName, "state": "ok"}, 1},
			{sentinel.MetricMasterState, map[string]string{"master": masterName, "state": "odown"}, 0},
			{sentinel.MetricKnownReplicas, m, 1},
			{sentinel.MetricKnownSentinels, m, 0},
			{sentinel.MetricFailoversStarted, m, 0},
			{sentinel.MetricCurrentEpoch, nil, 0},
			{sentinel.MetricTilt, nil, 0},
		} {
			if err := equal(f, c.name, c.labels, c.want); err != nil {
				return err
			}
		}
		for _, inst := range []struct{ addr, role string }{{master.Addr(), "master"}, {replicas[0].Addr(), "replica"}} {
			if _, ok := value(f, sentinel.MetricLinkRTT, map[string]string{"master": masterName, "instance": inst.addr, "role": inst.role}); !ok {
				return fmt.Errorf("no link RTT for the %s %s", inst.role, inst.addr)
			}
		}
		if v, ok := value(f, "process_resident_memory_bytes", nil); !ok || v <= 0 {
			return fmt.Errorf("process_resident_memory_bytes = %v (present %v)", v, ok)
		}
		return nil
	})

	master.Kill()
	waitMetrics(t, url, "a successful failover counted", func(f map[string]*dto.MetricFamily) error {
		if err := equal(f, sentinel.MetricFailoversFinished, map[string]string{"master": masterName, "result": sentinel.FailoverResultSuccess}, 1); err != nil {
			return err
		}
		if v, _ := value(f, sentinel.MetricFailoversStarted, m); v < 1 {
			return fmt.Errorf("%s = %v, want at least 1", sentinel.MetricFailoversStarted, v)
		}
		if v, _ := value(f, sentinel.MetricCurrentEpoch, nil); v < 1 {
			return fmt.Errorf("%s = %v, want at least 1", sentinel.MetricCurrentEpoch, v)
		}
		if v, _ := value(f, sentinel.MetricConfigEpoch, m); v < 1 {
			return fmt.Errorf("%s = %v, want at least 1", sentinel.MetricConfigEpoch, v)
		}
		if err := equal(f, sentinel.MetricFailoverInProgress, m, 0); err != nil {
			return err
		}
		// The promoted replica is the master now, healthy; the killed one is its replica entry.
		if err := equal(f, sentinel.MetricMasterState, map[string]string{"master": masterName, "state": "ok"}, 1); err != nil {
			return err
		}
		if _, ok := value(f, sentinel.MetricLinkRTT, map[string]string{"master": masterName, "instance": replicas[0].Addr(), "role": "master"}); !ok {
			return fmt.Errorf("no master link RTT for the promoted %s", replicas[0].Addr())
		}
		return nil
	})
	// Every family has samples now, the failover counters included.
	promtoolCheck(t, url)
}

// The listener speaks plain HTTP/1.1 to any client: the metrics at /metrics (HEAD too), 404
// elsewhere, 405 for other methods.
func TestMetricsEndpointAnswersHTTP(t *testing.T) {
	_, _, url := metricsSentinel(t)
	base := strings.TrimSuffix(url, "/metrics")
	for _, c := range []struct {
		method, path string
		status       int
		contentType  string
	}{
		{http.MethodGet, "/metrics?x=1", http.StatusOK, "text/plain; version=0.0.4; charset=utf-8"},
		{http.MethodHead, "/metrics", http.StatusOK, "text/plain; version=0.0.4; charset=utf-8"},
		{http.MethodGet, "/", http.StatusNotFound, "text/plain"},
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed, ""},
	} {
		req, err := http.NewRequestWithContext(t.Context(), c.method, base+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: reading the body: %v", c.method, c.path, err)
		}
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != c.contentType {
			t.Errorf("%s %s: %s, Content-Type %q; want %d, %q", c.method, c.path, resp.Status, resp.Header.Get("Content-Type"), c.status, c.contentType)
		}
		if c.method == http.MethodGet && c.status == http.StatusOK && !strings.Contains(string(body), sentinel.MetricMasterState+"{") {
			t.Errorf("GET %s: no %s in the body:\n%s", c.path, sentinel.MetricMasterState, body)
		}
	}
}

// promtoolCheck scrapes url and lints the body with `promtool check metrics`, the Prometheus
// project's own checker of the exposition format and its naming conventions: the sentinel
// writes the format itself (internal/promtext), so the real tool must find nothing wrong.
func promtoolCheck(t *testing.T, url string) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not installed: run hack/toolchain.sh debian (Debian package prometheus)")
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s\nof:\n%s", err, out, body)
	}
}

func TestMetricsOfAMasterLeftDown(t *testing.T) {
	// The only replica has priority 0: the failover aborts and the master stays objectively down.
	master, _, url := metricsSentinel(t, 0)
	master.Kill()
	waitMetrics(t, url, "odown and an aborted failover", func(f map[string]*dto.MetricFamily) error {
		for _, st := range []struct {
			state string
			want  float64
		}{{"ok", 0}, {"sdown", 0}, {"odown", 1}} {
			if err := equal(f, sentinel.MetricMasterState, map[string]string{"master": masterName, "state": st.state}, st.want); err != nil {
				return err
			}
		}
		if v, _ := value(f, sentinel.MetricFailoversFinished, map[string]string{"master": masterName, "result": sentinel.FailoverResultAborted}); v < 1 {
			return fmt.Errorf("aborted failovers = %v, want at least 1", v)
		}
		return equal(f, sentinel.MetricFailoversFinished, map[string]string{"master": masterName, "result": sentinel.FailoverResultSuccess}, 0)
	})
}
